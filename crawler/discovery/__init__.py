"""Pure discovery: what a start URL's body is, and which URLs it lists. No Scrapy import."""
