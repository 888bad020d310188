"""Orchestration: the units of work that run the flow crawl → store → extract → diff → digest → deliver (`jobs`),
crawl batches in crawl processes (`crawls`), the APScheduler daemon (`scheduler`) and Celery crawl workers
(`workers`).

May import everything below it (db, crawler, the pure packages, channels, publish); faces import it, never the
reverse.
"""
