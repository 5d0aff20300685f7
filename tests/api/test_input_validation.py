"""Issue 9's loose-input reproductions, over HTTP on every backend: control characters, loose
email addresses, numbers out of range and forged audit cursors are 422 with a reason, never a
500 (PostgreSQL refuses NUL; 10**20 overflows its integers; +14:00 on year 1 overflowed Python)."""

import base64
import uuid

import pytest

from domain.bookings import MAX_PRICE, MAX_QUANTITY
from tests.api.conftest import PASSWORD, Api

NUL_EMAIL = "a\u0000b@x.io"


def reasons(response_json: dict[str, object]) -> str:
    detail = response_json["detail"]
    assert isinstance(detail, list) and detail, detail
    return " ".join(str(error["msg"]) for error in detail)


async def test_a_nul_in_the_email_is_422_at_login(api: Api) -> None:
    response = await api.client.post("/auth/login",
                                      json={"email": NUL_EMAIL, "password": "x"})

    assert response.status_code == 422, response.text
    assert "NUL" in reasons(response.json())


async def test_a_nul_in_the_username_is_422_at_the_token_form(api: Api) -> None:
    response = await api.client.post("/auth/token",
                                      data={"username": NUL_EMAIL, "password": "x"})

    assert response.status_code == 422, response.text
    assert "NUL" in reasons(response.json())


async def test_a_nul_in_the_email_is_422_at_register_and_nothing_is_stored(api: Api) -> None:
    response = await api.register(NUL_EMAIL)

    assert response.status_code == 422, response.text
    assert "NUL" in reasons(response.json())
    users = await api.client.get("/admin/users", headers=await api.admin())
    assert all("\x00" not in user["email"] for user in users.json())
    assert [user["email"] for user in users.json()] == ["admin@roomkey.test"]


@pytest.mark.parametrize("control", ["\x00", "\x01", "\x1b", "\x7f", "\n"])
async def test_control_characters_are_422_in_every_string_that_reaches_the_database(
    api: Api, control: str,
) -> None:
    admin = await api.admin()
    room = {"name": f"Dou{control}ble", "description": "", "price": 100, "quantity": 1}
    bad_room = await api.client.post("/rooms", json=room, headers=admin)
    bad_refresh = await api.client.post("/auth/refresh", json={"refresh_token": f"a{control}b"})
    bad_password = await api.client.post("/auth/token", data={
        "username": "nobody@example.com", "password": f"pass{control}word-long"})

    assert [bad_room.status_code, bad_refresh.status_code, bad_password.status_code] == [422] * 3
    assert "Control characters" in reasons(bad_room.json())
    assert (await api.client.get("/rooms")).json() == []


async def test_a_tab_is_kept_and_a_description_may_have_line_breaks(api: Api) -> None:
    room = {"name": "Double\tsea view", "description": "Two beds.\r\nOne window.",
            "price": 100, "quantity": 1}
    response = await api.client.post("/rooms", json=room, headers=await api.admin())

    assert response.status_code == 201, response.text
    assert response.json()["description"] == "Two beds.\r\nOne window."


@pytest.mark.parametrize("address", [
    "<script>alert(1)</script>@x.io", "a@b.c", "a" * 65 + "@x.io", "a@" + "b" * 64 + ".io",
    "a@localhost", '"john doe"@x.io', "a..b@x.io",
])
async def test_loose_email_addresses_are_not_registered(api: Api, address: str) -> None:
    response = await api.register(address)

    assert response.status_code == 422, response.text
    assert [error["loc"] for error in response.json()["detail"]] == [["body", "email"]]
    assert reasons(response.json())  # a reason, from the one email rule
    users = await api.client.get("/admin/users", headers=await api.admin())
    assert len(users.json()) == 1


async def test_an_address_is_one_account_however_it_is_spelled(api: Api) -> None:
    created = await api.register("  Alice.Smith@Example.COM ")
    assert created.status_code == 201, created.text
    assert created.json()["email"] == "alice.smith@example.com"

    assert (await api.register("ALICE.SMITH@example.com")).status_code == 409
    assert (await api.login("alice.smith@EXAMPLE.com")).status_code == 200
    form = await api.client.post("/auth/token", data={"username": "Alice.Smith@example.com ",
                                                      "password": PASSWORD})
    assert form.status_code == 200, form.text


async def test_an_international_address_is_kept_in_nfc_with_a_unicode_domain(api: Api) -> None:
    created = await api.register("Jose\u0301@B\u00dcCHER.de")

    assert created.status_code == 201, created.text
    assert created.json()["email"] == "jos\u00e9@b\u00fccher.de"
    assert (await api.login("jos\u00e9@xn--bcher-kva.de")).status_code == 200


@pytest.mark.parametrize("field", ["price", "quantity"])
@pytest.mark.parametrize("value", [10**20, -(10**20), MAX_QUANTITY + MAX_PRICE + 1, -1])
async def test_a_rooms_numbers_out_of_range_are_422(api: Api, field: str, value: int) -> None:
    room = {"name": "Double", "description": "", "price": 100, "quantity": 1} | {field: value}

    response = await api.client.post("/rooms", json=room, headers=await api.admin())

    assert response.status_code == 422, response.text
    assert (await api.client.get("/rooms")).json() == []


async def test_a_room_at_the_bounds_is_stored(api: Api) -> None:
    room = {"name": "Palace", "description": "", "price": MAX_PRICE, "quantity": MAX_QUANTITY}

    response = await api.client.post("/rooms", json=room, headers=await api.admin())

    assert response.status_code == 201, response.text
    assert (await api.client.get("/rooms")).json()[0]["price"] == MAX_PRICE


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode()


@pytest.mark.parametrize("cursor", [
    _cursor(f"0001-01-01T00:00:00+14:00|{uuid.UUID(int=0)}"),   # issue 9: an OverflowError
    _cursor(f"9999-12-31T23:59:59-14:00|{uuid.UUID(int=0)}"),
    _cursor(f"2030-01-01T00:00:00|{uuid.UUID(int=0)}"),          # naive
    _cursor(f"2030-01-01T01:00:00+01:00|{uuid.UUID(int=0)}"),    # not as Roomkey writes it
    _cursor(f"2030-01-01T00:00:00+00:00|{uuid.UUID(int=0).hex}"),
    _cursor(f"2030-01-01T00:00:00+00:00|{uuid.UUID(int=0)}|x"),
    _cursor(f"2030-01-01T00:00:00+00:00|{uuid.UUID(int=0)}").rstrip("="),
    _cursor("\x00|\x00"), "not-a-cursor", "=" * 8, "%00", "",
])
async def test_an_audit_cursor_roomkey_did_not_issue_is_422(api: Api, cursor: str) -> None:
    response = await api.client.get("/admin/audit", params={"cursor": cursor},
                                    headers=await api.admin())

    assert response.status_code == 422, response.text


async def test_an_issued_cursor_still_pages(api: Api) -> None:
    admin = await api.admin()
    for number in range(3):
        await api.register(f"user{number}@example.com")
    first = (await api.client.get("/admin/audit?type=register&limit=2", headers=admin)).json()

    second = await api.client.get("/admin/audit", headers=admin,
                                  params={"type": "register", "cursor": first["next_cursor"]})

    assert second.status_code == 200, second.text
    assert len(first["events"]) + len(second.json()["events"]) == 3


async def test_control_characters_in_the_user_agent_are_not_stored(api: Api) -> None:
    """Not input to refuse (the client did not type it) but it reaches the sessions and the
    audit trail: each control character is stored as "?"."""
    await api.register("ua@example.com")
    response = await api.client.post(
        "/auth/login", json={"email": "ua@example.com", "password": PASSWORD},
        headers={"User-Agent": "evil\x00agent\x1b[31m\n"})
    assert response.status_code == 200, response.text
    token = {"Authorization": f"Bearer {response.json()['access_token']}"}
    api.client.cookies.clear()

    sessions = await api.client.get("/auth/sessions", headers=token)

    assert sessions.json()[0]["description"].startswith("evil?agent?[31m? from ")


@pytest.mark.parametrize(("form", "status"), [
    ({"grant_type": "password", "scope": "", "client_id": "swagger"}, 200),  # Swagger UI's form
    ({"grant_type": "client_credentials"}, 422),
    ({"role": "admin"}, 422),
    ({"scope": "a\x00b"}, 422),
])
async def test_the_token_form_takes_the_password_grants_fields_and_no_others(
    api: Api, form: dict[str, str], status: int,
) -> None:
    await api.register("form@example.com")

    response = await api.client.post(
        "/auth/token", data={"username": "form@example.com", "password": PASSWORD} | form)

    assert response.status_code == status, response.text
