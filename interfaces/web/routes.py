"""The browser app under /app/: one HTML shell for every page, and its assets.

The shell loads the JavaScript modules in `assets/js/`, which draw the page named by the URL and
talk to the API exactly as the README tells browser clients to (cookies + X-CSRF-Token)."""

from pathlib import Path

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse
from starlette.staticfiles import StaticFiles

HERE = Path(__file__).parent
APP_URL = "/app/"


async def _to_app(request: Request) -> RedirectResponse:
    # A relative Location: one built from the Host header could send the browser elsewhere.
    return RedirectResponse(APP_URL, status_code=307)


async def _shell(request: Request) -> FileResponse:
    return FileResponse(HERE / "shell.html", media_type="text/html")


def install_web_app(app: FastAPI) -> None:
    """Add `/`, `/app` and `/app/...` after the API's routes, so that no API request pays for
    matching them first. The assets are mounted before the catch-all page route."""
    app.add_route("/", _to_app, include_in_schema=False)
    app.add_route("/app", _to_app, include_in_schema=False)
    app.mount("/app/assets", StaticFiles(directory=HERE / "assets"), name="web-assets")
    app.add_route("/app/{page:path}", _shell, include_in_schema=False)
