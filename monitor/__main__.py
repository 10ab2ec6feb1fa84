"""`python -m monitor` is the `monitor` command (used for crawl subprocesses)."""

from monitor.cli import main

if __name__ == "__main__":
    main()
