"""Listing monitor: crawl marketplace listings and flag likely counterfeits for review."""

__version__ = "0.1.0"
