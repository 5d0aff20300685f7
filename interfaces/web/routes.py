"""The browser app under /app/: one HTML shell for every page, and its assets.

The shell loads the JavaScript modules in `assets/js/`, which draw the page named by the URL and
talk to the API exactly as the README tells browser clients to (cookies + X-CSRF-Token)."""

import os
from pathlib import Path

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

HERE = Path(__file__).parent
APP_URL = "/app/"


class _Revalidated(StaticFiles):
    """Assets a browser asks about again each time (a 304 when unchanged), so a new version of
    the app is never run half old, half new from the browser's cache."""

    def file_response(self, full_path: str | os.PathLike[str], stat_result: os.stat_result,
                      scope: Scope, status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "no-cache"
        return response


async def _to_app(request: Request) -> RedirectResponse:
    # A relative Location: one built from the Host header could send the browser elsewhere.
    return RedirectResponse(APP_URL, status_code=307)


async def _shell(request: Request) -> FileResponse:
    return FileResponse(HERE / "shell.html", media_type="text/html",
                        headers={"Cache-Control": "no-cache"})


def install_web_app(app: FastAPI) -> None:
    """Add `/`, `/app` and `/app/...` after the API's routes, so that no API request pays for
    matching them first. The assets are mounted before the catch-all page route."""
    app.add_route("/", _to_app, include_in_schema=False)
    app.add_route("/app", _to_app, include_in_schema=False)
    app.mount("/app/assets", _Revalidated(directory=HERE / "assets"), name="web-assets")
    app.add_route("/app/{page:path}", _shell, include_in_schema=False)
