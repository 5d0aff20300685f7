"""Step-up re-authentication, admins' second factor and account deletion, on every backend."""

from datetime import timedelta

from tests.api.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, Api, AppFactory
from tests.api.test_mfa import bearer, code, enable_mfa, first_step, second_step

STALE = timedelta(minutes=10, seconds=1)
NEW_PASSWORD = "a different passphrase 7"
STEP_UP_CHALLENGE = 'Bearer error="insufficient_user_authentication", max_age=600'


async def test_a_stale_session_must_reauthenticate_before_changing_the_password(api: Api) -> None:
    headers = await api.bearer_for("ada@example.com")
    api.clock.advance(STALE)
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}

    refused = await api.client.post("/auth/change-password", headers=headers, json=change)
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Recent authentication required"}
    assert refused.headers["www-authenticate"] == STEP_UP_CHALLENGE

    wrong = await api.client.post("/auth/reauthenticate", headers=headers,
                                  json={"password": "not the password 1"})
    assert wrong.status_code == 403
    renewed = await api.client.post("/auth/reauthenticate", headers=headers,
                                    json={"password": PASSWORD})
    assert renewed.status_code == 200, renewed.text

    changed = await api.client.post("/auth/change-password", headers=headers, json=change)
    assert changed.status_code == 200, changed.text


async def test_every_sensitive_action_asks_a_stale_session_to_step_up(api: Api) -> None:
    headers = await api.bearer_for("ada@example.com")
    admin = await api.admin()
    user_id = (await api.client.get("/users/me", headers=headers)).json()["id"]
    api.clock.advance(STALE)

    attempts = [
        ("POST", "/auth/change-password",
         {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, headers),
        ("POST", "/auth/mfa/totp", None, headers),
        ("DELETE", "/auth/mfa/totp", {"code": "123456"}, headers),
        ("POST", "/auth/mfa/recovery-codes", None, headers),
        ("DELETE", "/users/me", {"password": PASSWORD}, headers),
        ("PATCH", f"/admin/users/{user_id}", {"is_active": False}, admin),
    ]
    for method, path, body, auth in attempts:
        response = await api.client.request(method, path, json=body, headers=auth)
        assert response.status_code == 403, (path, response.text)
        assert response.headers["www-authenticate"] == STEP_UP_CHALLENGE, path
    assert (await api.client.get("/users/me", headers=headers)).json()["is_active"] is True


async def test_with_a_second_factor_reauthentication_needs_a_code(api: Api) -> None:
    secret, _ = await enable_mfa(api, await api.bearer_for("ada@example.com"))
    headers = bearer(await second_step(api, await first_step(api), code=code(api, secret)))
    api.client.cookies.clear()
    api.clock.advance(STALE)

    without_code = await api.client.post("/auth/reauthenticate", headers=headers,
                                         json={"password": PASSWORD})
    with_code = await api.client.post("/auth/reauthenticate", headers=headers,
                                      json={"password": PASSWORD, "code": code(api, secret)})

    assert without_code.status_code == 403
    assert with_code.status_code == 200, with_code.text
    replaced = await api.client.post("/auth/mfa/recovery-codes", headers=headers)
    assert replaced.status_code == 200
    assert len(replaced.json()["recovery_codes"]) == 10


async def test_admins_need_a_second_factor_when_required_and_can_still_enrol(
    api_factory: AppFactory,
) -> None:
    api = await api_factory(require_mfa_for_admins=True)
    headers = await api.admin()

    refused = await api.client.get("/admin/users", headers=headers)
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Second factor required"}
    assert (await api.client.get("/admin/audit", headers=headers)).status_code == 403

    secret, _ = await enable_mfa(api, headers)
    assert (await api.client.get("/admin/users", headers=headers)).status_code == 200
    mfa_token = (await api.login(ADMIN_EMAIL, ADMIN_PASSWORD)).json()["mfa_token"]
    fresh = bearer(await second_step(api, mfa_token, code=code(api, secret)))
    assert (await api.client.get("/admin/audit", headers=fresh)).status_code == 200


async def test_users_need_no_second_factor_where_admins_must_have_one(
    api_factory: AppFactory,
) -> None:
    api = await api_factory(require_mfa_for_admins=True)
    headers = await api.bearer_for("ada@example.com")

    assert (await api.client.get("/bookings", headers=headers)).status_code == 200
    assert (await api.client.get("/admin/users", headers=headers)).json() == {
        "detail": "You are not allowed to do this"}


async def test_deleting_the_account_erases_it_revokes_its_sessions_and_frees_its_email(
    api: Api,
) -> None:
    headers = await api.bearer_for("ada@example.com")
    other_device = bearer(await api.login("ada@example.com"))
    api.client.cookies.clear()
    await enable_mfa(api, headers)
    user_id = (await api.client.get("/users/me", headers=headers)).json()["id"]

    wrong = await api.client.request("DELETE", "/users/me", headers=headers,
                                     json={"password": "not the password 1"})
    assert wrong.status_code == 403
    deleted = await api.client.request("DELETE", "/users/me", headers=headers,
                                       json={"password": PASSWORD})
    assert deleted.status_code == 200, deleted.text

    for auth in (headers, other_device):
        assert (await api.client.get("/users/me", headers=auth)).status_code == 401
    assert (await api.login("ada@example.com")).status_code == 401
    admin = await api.admin()
    [erased] = [u for u in (await api.client.get("/admin/users", headers=admin)).json()
                if u["id"] == user_id]
    assert "ada" not in erased["email"] and erased["email"].endswith(".invalid")
    assert (erased["is_active"], erased["mfa_enabled"]) == (False, False)
    audit = (await api.client.get("/admin/audit", headers=admin,
                                  params={"user_id": user_id})).json()["events"]
    assert "account_deleted" in [event["type"] for event in audit]
    assert "ada@example.com" not in str(audit)
    assert (await api.register("ada@example.com")).status_code == 201


async def test_deleting_the_account_cancels_its_stays_to_come(api: Api) -> None:
    room_id = await api.room(quantity=1)
    headers = await api.bearer_for("ada@example.com")
    today = api.clock.now().date()
    stay = {"room_id": room_id, "date_from": str(today + timedelta(days=3)),
            "date_to": str(today + timedelta(days=5))}
    assert (await api.client.post("/bookings", headers=headers, json=stay)).status_code == 201
    others = await api.bearer_for("bob@example.com")
    assert (await api.client.post("/bookings", headers=others, json=stay)).status_code == 409

    await api.client.request("DELETE", "/users/me", headers=headers, json={"password": PASSWORD})

    # The room (of one) is free again for those dates.
    assert (await api.client.post("/bookings", headers=others, json=stay)).status_code == 201
