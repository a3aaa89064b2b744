"""Project commands for `scrapy` (COMMANDS_MODULE): our `crawl` replaces Scrapy's."""
