"""The review web app (issue 4): server-rendered pages and a JSON API over the listing store.

``create_app(db_path)`` builds the ASGI app; ``monitor serve`` runs it with uvicorn.
"""

from monitor.web.app import create_app

__all__ = ["create_app"]
