"""Evidence: what was fetched, kept as it came (WARC), with hashes and a custody log.

Data flow: the crawl's evidence middleware (spiders/middlewares/evidence.py) writes every
fetched page into the run's WARC file (``warcfile``) and hands the record's location to the
listing item; the store pipeline records it in the ``evidence`` table (``records``) and logs
the capture in the hash-chained custody log (``custody``). The review app reads a record
back and shows it through ``sanitise``. After a run, ``capture`` (``monitor evidence capture``)
adds a Chromium screenshot and rendered page of each newly flagged listing, referring to its
response record.
"""
