"""Downloader middlewares: network safety and polite retries."""
