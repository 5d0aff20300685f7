"""/docs and /redoc with no network: Swagger UI and ReDoc from the files the fastapi-offline
package ships, each page started by a script file (no inline script, so the policy needs none)."""

from html import escape
from pathlib import Path

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

ASSETS_URL = "/docs/assets"
HERE = Path(__file__).parent

_SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} - Swagger UI</title>
<link rel="icon" href="{assets}/favicon.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css"></head>
<body><div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/swagger-init.js"></script></body></html>
"""
# ReDoc's standalone bundle starts itself on the <redoc> element: no start-up script at all.
_REDOC_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} - ReDoc</title>
<link rel="icon" href="{assets}/favicon.png">
<link rel="stylesheet" href="{assets}/redoc.css"></head>
<body><redoc spec-url="{openapi}"></redoc>
<script src="{assets}/redoc.standalone.js"></script></body></html>
"""


def install_docs(app: FastAPI, *, openapi_url: str) -> None:
    """Serve the two docs pages and their assets (our start-up script beside the vendored files)."""
    fields = {"title": escape(app.title), "assets": ASSETS_URL, "openapi": escape(openapi_url)}
    swagger = _SWAGGER_PAGE.format(**fields)
    redoc = _REDOC_PAGE.format(**fields)

    async def swagger_page(request: Request) -> HTMLResponse:
        return HTMLResponse(swagger)

    async def redoc_page(request: Request) -> HTMLResponse:
        return HTMLResponse(redoc)

    app.mount(ASSETS_URL, StaticFiles(directory=HERE / "docs",
                                      packages=[("fastapi_offline", "static")]),
              name="docs-assets")
    app.add_route("/docs", swagger_page, include_in_schema=False)
    app.add_route("/redoc", redoc_page, include_in_schema=False)
