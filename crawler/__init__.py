"""crawler: fetch posts from every source into the store (Scrapy spiders, httpx API clients)."""
