"""Item pipelines: storing listings and recording the crawl run."""
