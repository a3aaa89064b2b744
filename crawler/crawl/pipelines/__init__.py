"""Thin Scrapy shells over the pure cores: validate -> dates -> blocks -> storage."""
