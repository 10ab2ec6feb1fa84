"""Crawling: site profiles, the browser, network safety and running a crawl."""
