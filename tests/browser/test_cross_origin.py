"""A page from another origin (another port of the same host, so the browser does send the
SameSite cookies) cannot make a booking with the signed-in user's cookies: nothing is written."""

import datetime
import http.server
import threading
from collections.abc import Iterator

import pytest

from tests.browser.conftest import Browsing, Server

pytestmark = pytest.mark.browser

ATTACK_PAGE = """<!doctype html><meta charset="utf-8"><title>You won a free night</title>
<form id="form" method="POST" action="{app}/bookings" enctype="text/plain">
<input name='{{"room_id": "{room}", "date_from": "{start}", "date_to": "{end}", "x": "' value='"}}'>
</form>
<script>
const body = JSON.stringify({{room_id: "{room}", date_from: "{start}", date_to: "{end}"}});
const csrf = (document.cookie.match(/(?:^|; )(?:__Host-)?csrf_token=([^;]*)/) || [])[1] || "";
async function attempt(init) {{
  try {{
    const request = {{method: "POST", credentials: "include", body, ...init}};
    const response = await fetch("{app}/bookings", request);
    return response.type === "opaque" ? "sent, answer unreadable" : response.status;
  }} catch (error) {{
    return `blocked: ${{error.message}}`;
  }}
}}
window.attack = (async () => ({{
  csrfCookieReadable: csrf !== "",
  plainText: await attempt({{mode: "no-cors", headers: {{"Content-Type": "text/plain"}}}}),
  withCsrfHeader: await attempt(
    {{headers: {{"Content-Type": "application/json", "X-CSRF-Token": csrf}}}}),
}}))();
</script>
"""


class _AttackSite:
    def __init__(self, html: str, start: datetime.date) -> None:
        page = html.encode()
        self.start = start

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "_AttackSite":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def attack_site(server: Server) -> Iterator[_AttackSite]:
    room = server.get("/rooms", {})[0]["id"]
    start = datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=90)
    html = ATTACK_PAGE.format(app=server.url, room=room, start=start,
                              end=start + datetime.timedelta(days=2))
    with _AttackSite(html, start) as site:
        yield site


def test_another_origin_cannot_book_with_the_users_cookies(
    browsing: Browsing, server: Server, attack_site: _AttackSite
) -> None:
    # The attack page's own failures, which Chromium reports on its console.
    browsing.watch.tolerate(r"blocked by CORS policy|net::ERR_FAILED")
    browsing.watch.expect(403, 415)
    email = "victim@example.com"
    server.register(email)
    page = browsing.page()
    browsing.sign_in(page, email)
    assert browsing.context.cookies(server.url)  # signed in: the browser holds the cookies

    evil = browsing.page()
    evil.goto(attack_site.url)
    results = evil.evaluate("window.attack")

    assert results["csrfCookieReadable"] is True  # cookies do not isolate ports ...
    assert results["plainText"] == "sent, answer unreadable"  # ... and this request went out,
    assert results["withCsrfHeader"].startswith("blocked")  # but the header needs CORS.
    evil.evaluate("document.getElementById('form').submit()")
    evil.wait_for_url(f"{server.url}/bookings")
    assert "Content-Type must be application/json" in evil.content()
    browsing.shoot(evil, "form-post-refused")
    assert server.get("/bookings", server.bearer(email)) == []
    every_booking = server.get("/admin/bookings", server.admin())
    assert str(attack_site.start) not in {booking["date_from"] for booking in every_booking}
