"""Scrapy spiders and components: one spider per site profile, and the structured-data shop spider."""
