"""Scheduled crawls (issue 5): jobs as configuration, run by APScheduler, one process per crawl.

- ``config``: ``monitor.yaml`` (jobs, campaigns, alerts), validated with file, line and field.
- ``triggers``: cron / interval triggers, campaign windows, and what "due" means.
- ``jobstore``: APScheduler's job store in its own SQLite file beside the database.
- ``history``: what the scheduler decided (``job_events``) and each job's last run.
- ``runner``: one crawl as a subprocess in its own process group, time limit, per-job lock.
- ``service``: ``monitor schedule`` (the foreground service) and ``--once``.
"""
