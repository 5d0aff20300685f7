"""The data every app gets (one user, ten bookings, made over HTTP) and the three wrk loads."""

import json
import time
import urllib.parse
import uuid
from datetime import date, timedelta

import httpx

from bench import wrk
from bench.servers import App

PASSWORD = "correct horse battery"
READ_LOAD = {"threads": 2, "connections": 32}
LOGIN_LOAD = {"threads": 1, "connections": 8}


def login_body(app: App, email: str) -> tuple[str, str]:
    """(content type, body) of a login; "%d" in `email` stays for wrk to fill in."""
    if app.login_form:
        form = urllib.parse.urlencode({"username": email, "password": PASSWORD}, safe="%")
        return "application/x-www-form-urlencoded", form
    return "application/json", json.dumps({"email": email, "password": PASSWORD})


def seed(app: App, base: str, email: str, *, register: bool = True) -> str:
    """Create the user (unless seeded in bulk) and ten bookings; return the Cookie header."""
    with httpx.Client(base_url=base, timeout=30) as client:
        if register:
            answer = client.post("/auth/register", json={"email": email, "password": PASSWORD})
            answer.raise_for_status()
        content_type, body = login_body(app, email)
        login = client.post("/auth/login", content=body, headers={"Content-Type": content_type})
        login.raise_for_status()
        name, value = next(iter(login.cookies.items()))
        cookie = f"{name}={value}"
        write_headers = _write_headers(cookie, login)
        rooms = client.get("/rooms")
        room_id = rooms.json()[0]["id"] if rooms.status_code == 200 else str(uuid.uuid4())
        first = date.today() + timedelta(days=30)  # noqa: DTZ011 - any future date will do
        for night in range(0, 30, 3):
            answer = client.post("/bookings", headers=write_headers, json={
                "room_id": room_id, "date_from": str(first + timedelta(days=night)),
                "date_to": str(first + timedelta(days=night + 2))})
            answer.raise_for_status()
        assert len(client.get("/bookings", headers={"Cookie": cookie}).json()) == 10
    return cookie


def _write_headers(cookie: str, login: httpx.Response) -> dict[str, str]:
    """Roomkey wants its CSRF double-submit token on cookie-authenticated writes."""
    csrf = login.cookies.get("csrf_token")
    if csrf is None:
        return {"Cookie": cookie}
    return {"Cookie": f"{cookie}; csrf_token={csrf}", "X-CSRF-Token": csrf}


def reads(tool: str, base: str, cookie: str, seconds: float) -> wrk.Run:
    return wrk.run(tool, f"{base}/bookings", seconds=seconds, cookie=cookie, **READ_LOAD)


def logins(tool: str, app: App, base: str, email: str, seconds: float, users: int = 1) -> wrk.Run:
    content_type, body = login_body(app, email)
    return wrk.run(tool, f"{base}/auth/login", seconds=seconds, method="POST",
                   content_type=content_type, body=body, users=users, **LOGIN_LOAD)


def reads_during_storm(tool: str, app: App, base: str, cookie: str, email: str,
                       seconds: float) -> wrk.Run:
    """Reads measured while 8 connections log in, the storm running before and after."""
    content_type, body = login_body(app, email)
    storm = wrk.start(tool, f"{base}/auth/login", seconds=seconds + 2, method="POST",
                      content_type=content_type, body=body, **LOGIN_LOAD)
    time.sleep(1)
    measured = reads(tool, base, cookie, seconds)
    wrk.result(storm)
    return measured
