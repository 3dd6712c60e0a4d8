"""The web app: chronicles and runs in a browser, over the same store as the command line.

`create_app(store, token)` builds the FastAPI application; `packlaw serve`
runs it with Uvicorn.
"""

from packlaw.web.app import create_app

__all__ = ["create_app"]
