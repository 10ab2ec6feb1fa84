"""Scrapy settings shared by `scrapy crawl` and `monitor crawl`: polite and safe by default."""

from monitor import __version__
from monitor.settings import env

BOT_NAME = "listing-monitor"
SPIDER_MODULES = ["spiders.sites", "spiders.shop"]
NEWSPIDER_MODULE = "spiders"

# An honest User-Agent: who we are and how to reach the operator (MONITOR_CONTACT).
MONITOR_CONTACT = env("MONITOR_CONTACT")
USER_AGENT = f"listing-monitor/{__version__} (+{MONITOR_CONTACT or 'https://github.com/listing-monitor; set MONITOR_CONTACT'})"

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Scrapy starts this many tasks per response to process a callback's output; ours yield one
# listing or a page of links, and the default 100 costs ~10% of a crawl's CPU for nothing.
CONCURRENT_ITEMS = 16
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
# Each host name is looked up once and every answer vetted before the connection uses it: the
# network guard at connection time, which DNS rebinding cannot pass (spiders/resolver.py).
# NetGuardMiddleware installs it as well, so `-s TWISTED_DNS_RESOLVER=...` cannot switch it off.
TWISTED_DNS_RESOLVER = "spiders.resolver.GuardedResolver"
# Scrapy's default TLS context accepts any certificate; verify against the system's roots.
DOWNLOADER_CLIENTCONTEXTFACTORY = "scrapy.core.downloader.contextfactory.BrowserLikeContextFactory"
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # a product page is never 10 MB; a hostile response may be
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote control runs code sent to a local port; a crawler of hostile pages
# has no use for it.
REMOTE_CONTROL_ENABLED = False
REDIRECT_MAX_TIMES = 5
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = env("MONITOR_LOG_LEVEL")

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
RETRY_BACKOFF_BASE = 1.0  # seconds; doubled each retry unless the server sends Retry-After
RETRY_BACKOFF_MAX = 60.0

# robots.txt as RFC 9309 says (an unreachable one disallows everything; Scrapy's allows it all)
# and its Crawl-delay kept per host: spiders/middlewares/robots.py, policy in monitor/crawl/robots.py.
# The longest Crawl-delay (seconds) kept between two requests to one host; a longer one is cut
# to this, with a warning.
MONITOR_CRAWL_DELAY_MAX = env("MONITOR_CRAWL_DELAY_MAX")
# A 429/503 with Retry-After pauses every request to the host (spiders/middlewares/retry_after.py);
# a host asking for more than this many seconds is given up for the run.
MONITOR_RETRY_AFTER_MAX = env("MONITOR_RETRY_AFTER_MAX")

# A crawl whose memory grows past the limit (a parser fed something hostile) is closed by Scrapy
# (reason memusage_exceeded, what it stored kept) rather than taking the machine down; a normal
# crawl stays far below (~150 MB).
MEMUSAGE_ENABLED = True
# Measured on the crawl's current memory, not the peak it inherited from the process that
# started it (spiders/memusage.py).
EXTENSIONS = {"scrapy.extensions.memusage.MemoryUsage": None, "spiders.memusage.CurrentMemoryUsage": 0}
MEMUSAGE_LIMIT_MB = 2048
MEMUSAGE_WARNING_MB = 1024
MEMUSAGE_CHECK_INTERVAL_SECONDS = 15.0

DOWNLOADER_MIDDLEWARES = {
    # Before the robots.txt middleware (100) so even robots.txt is never fetched from a blocked host.
    "spiders.middlewares.netguard.NetGuardMiddleware": 50,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "spiders.middlewares.robots.RobotsMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "spiders.middlewares.retry_after.RetryAfterMiddleware": 550,
    # Between the HTTP cache (900) and decompression (590): the bytes as the server sent them.
    "spiders.middlewares.evidence.EvidenceMiddleware": 880,
}
ITEM_PIPELINES = {
    "spiders.pipelines.store.StorePipeline": 800,
}

# The environment's values (types, defaults and meanings: monitor/settings.py); `-s NAME=VALUE`
# overrides each. The monitor's store: `--db` / MONITOR_DB.
_db = env("MONITOR_DB")
MONITOR_DB = str(_db) if _db else None
MONITOR_STORE_BATCH = env("MONITOR_STORE_BATCH")  # listings per write transaction
MONITOR_ALLOW_PRIVATE = False
# Keep every fetched page in the run's WARC file (and a screenshot of browser pages) under
# evidence/ beside the database; see monitor/evidence/. Off only for benchmarks.
MONITOR_EVIDENCE = env("MONITOR_EVIDENCE")
# Score listings with the rule engine as they are stored (rules from MONITOR_RULES or rules/).
MONITOR_SCORE = env("MONITOR_SCORE")
_rules = env("MONITOR_RULES")
MONITOR_RULES = str(_rules) if _rules else None
# Score in a second process beside the crawl (uses the second core); off = in the crawl itself.
MONITOR_SCORE_WORKER = env("MONITOR_SCORE_WORKER")
# After a profile crawl, up to this many known listings it did not meet are re-fetched to
# see whether they were removed (404/410 or the profile's item_gone page). 0 turns it off.
MONITOR_RECHECK_LIMIT = env("MONITOR_RECHECK_LIMIT")

# Browser pages (render: browser) go through scrapy-playwright; see spiders/browser.py.
PLAYWRIGHT_MAX_CONTEXTS = 2
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
PLAYWRIGHT_ABORT_REQUEST = "monitor.crawl.browser.abort_heavy_resources"
