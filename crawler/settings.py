"""Scrapy settings for govmon: polite by default (gov-sites.md §2.3).

robots.txt is obeyed; one request at a time per host with at least a second between them (AutoThrottle may only
slow down); retries with exponential backoff; 30 s timeouts; bodies over 16 MB are refused. `govmon crawl`
overrides GOVMON_DATABASE_URL from the govmon configuration and accepts `-s NAME=VALUE` overrides.
"""

BOT_NAME = "govmon"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "govmon/0.1 (government report monitor)"
ROBOTSTXT_OBEY = True
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False

# A crawl process crawls hundreds of sources on as many hosts: each host gets one request at a time, a second
# apart, so the global limit only bounds how many hosts are served at once. Scrapy counts a request waiting for its
# host's delay as in flight, so the limit is set high.
CONCURRENT_REQUESTS = 512
REACTOR_THREADPOOL_MAXSIZE = 20  # DNS lookups of many hosts
CONCURRENT_REQUESTS_PER_DOMAIN = 1
CONCURRENT_ITEMS = 8  # Scrapy starts this many tasks per response (default 100); a page yields one item or a few
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0  # Scrapy's default waits 0.5–1.5 × the delay: a host would see two requests in 0.5 s
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 60.0
RETRY_GIVE_UP_LOG_LEVEL = "INFO"  # a request that failed for good is the source's error (its health, its run), one line

DOWNLOADER_MIDDLEWARES = {
    "crawler.guard.EgressGuard": 40,  # before robots.txt (100): a refused host is never contacted at all
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
}
ITEM_PIPELINES = {
    "crawler.pipelines.ClassifyPipeline": 100,
    "crawler.pipelines.StorePipeline": 300,
}
EXTENSIONS = {
    "crawler.extensions.CrawlRunRecorder": 500,
}

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

# govmon's own settings
GOVMON_DATABASE_URL = ""  # govmon sets it from its configuration; by hand: -s GOVMON_DATABASE_URL=URL
GOVMON_REVISIT_DAYS = 7.0  # known articles are re-checked (conditional GET) once they are this old
GOVMON_NOT_DOCUMENT_DAYS = 30.0  # a page found not to be a document is fetched again after this many days
GOVMON_PROBE = True  # a cycle first asks the list pages of cleanly crawled sources whether they changed (crawler.probe)
GOVMON_PROBE_RESOLVER = ""  # the probe's aiohttp resolver class (tests and benchmarks name their own hosts)
GOVMON_DRY_RUN = False  # find and print documents, write nothing
GOVMON_STORE_BATCH = 50  # documents per database transaction
GOVMON_STORE_INTERVAL = 2.0  # seconds a fetched document may wait for its batch
GOVMON_STORE_PATIENCE = 120.0  # seconds to keep retrying while the database is unreachable, then stop the crawl
