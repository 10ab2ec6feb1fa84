"""One spider class per site profile, so `scrapy list` shows the sites and `scrapy crawl SITE` works."""

from __future__ import annotations

import logging

from monitor.crawl.profile import load_profile, profile_paths
from monitor.yamlfile import YamlError
from spiders.profile_spider import ProfileSpider

logger = logging.getLogger(__name__)


def spider_class(profile) -> type[ProfileSpider]:
    class_name = "Site_" + "".join(ch if ch.isalnum() else "_" for ch in profile.site)
    return type(class_name, (ProfileSpider,), {"name": profile.site, "profile": profile, "__module__": __name__})


def _define_all() -> None:
    for site, path in profile_paths().items():
        try:
            profile = load_profile(path)
        except YamlError as exc:
            # A broken profile must not hide the others from `scrapy list`; it is refused, loudly.
            logger.error("Skipping site profile %s:\n%s", path, exc)
            continue
        cls = spider_class(profile)
        globals()[cls.__name__] = cls


_define_all()
