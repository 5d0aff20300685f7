"""Registration, login (JSON and OAuth2 form) and logout over HTTP."""

import pytest

from tests.api.conftest import PASSWORD, Api, AppFactory, set_cookie


@pytest.fixture
def jwt_library(both_jwt_libraries: str) -> str:
    """Every test here runs with python-jose and with PyJWT."""
    return both_jwt_libraries



async def test_register_returns_the_public_user_and_never_the_password(api: Api) -> None:
    response = await api.register("  Alice@Example.COM ")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "email", "role", "is_active", "created_at", "mfa_enabled",
                         "email_verified"}
    assert body["email"] == "alice@example.com"
    assert body["role"] == "user"
    assert body["is_active"] is True
    assert body["created_at"].startswith("2030-01-15T12:00:00")
    assert PASSWORD not in response.text


async def test_register_twice_is_409_whatever_the_case(api: Api) -> None:
    assert (await api.register("bob@example.com")).status_code == 201

    response = await api.register("BOB@example.com")

    assert response.status_code == 409
    assert response.json() == {"detail": "User already exists"}


@pytest.mark.parametrize("field", ["role", "is_admin", "id", "is_active"])
async def test_register_rejects_privilege_fields_instead_of_honouring_them(
    api: Api, field: str
) -> None:
    response = await api.client.post(
        "/auth/register", json={"email": "eve@example.com", "password": PASSWORD, field: "admin"})

    assert response.status_code == 422
    assert (await api.login("eve@example.com")).status_code == 401


@pytest.mark.parametrize(("email", "password"), [
    ("not-an-email", PASSWORD),
    ("carol@example.com", "short"),
    ("carol@example.com", "x" * 129),
])
async def test_register_rejects_invalid_input_with_422_and_a_detail(
    api: Api, email: str, password: str
) -> None:
    response = await api.register(email, password)

    assert response.status_code == 422
    assert response.json()["detail"]
    assert password not in response.text


@pytest.mark.parametrize("body", [
    {"password": "s3cret-password-never-echoed"},
    {"email": "dan@example.com", "password": 12345678},
    {"email": ["x"], "password": "s3cret-password-never-echoed"},
])
async def test_validation_errors_never_echo_the_password(api: Api, body: dict[str, object]) -> None:
    response = await api.client.post("/auth/register", json=body)

    assert response.status_code == 422
    assert "s3cret-password-never-echoed" not in response.text
    assert "12345678" not in response.text


async def test_malformed_json_is_422_not_500(api: Api) -> None:
    response = await api.client.post("/auth/login", content=b"{not json",
                                     headers={"Content-Type": "application/json"})

    assert response.status_code == 422


async def test_login_returns_a_token_and_sets_a_hardened_cookie(api: Api) -> None:
    await api.register("frank@example.com")

    response = await api.login("FRANK@example.com")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    cookie = set_cookie(response, api.cookie_names.access)
    assert cookie.startswith(f"__Host-access_token={body['access_token']};")
    for attribute in ("HttpOnly", "SameSite=lax", "Path=/", "Max-Age=900", "Secure"):
        assert attribute.lower() in cookie.lower()
    assert response.headers["cache-control"] == "no-store"


async def test_cookie_is_not_secure_when_configured_off(api_factory: AppFactory) -> None:
    api = await api_factory(cookie_secure=False)
    await api.register("gina@example.com")

    response = await api.login("gina@example.com")

    assert "secure" not in set_cookie(response, "access_token").lower()
    assert api.cookie_names.access == "access_token"


@pytest.mark.parametrize("case", ["unknown email", "wrong password", "inactive"])
async def test_every_login_failure_is_the_same_401_without_a_cookie(api: Api, case: str) -> None:
    await api.register("hank@example.com")
    if case == "inactive":
        me = (await api.client.get("/users/me", headers=await api.bearer_for("hank@example.com")))
        await api.client.patch(f"/admin/users/{me.json()['id']}", json={"is_active": False},
                               headers=await api.admin())
    email, password = {
        "unknown email": ("nobody@example.com", PASSWORD),
        "wrong password": ("hank@example.com", "wrong password!"),
        "inactive": ("hank@example.com", PASSWORD),
    }[case]

    response = await api.login(email, password)

    assert response.status_code == 401
    assert response.json() == {"detail": "Incorrect email or password"}
    assert "set-cookie" not in response.headers


async def test_oauth2_token_form_logs_in_with_username_as_email(api: Api) -> None:
    await api.register("ivy@example.com")

    response = await api.client.post(
        "/auth/token", data={"username": "ivy@example.com", "password": PASSWORD})

    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    token = response.json()["access_token"]
    me = await api.client.get("/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["email"] == "ivy@example.com"


async def test_oauth2_token_form_with_a_wrong_password_is_401(api: Api) -> None:
    await api.register("jack@example.com")

    response = await api.client.post(
        "/auth/token", data={"username": "jack@example.com", "password": "nope nope"})

    assert response.status_code == 401


async def test_logout_deletes_the_cookies_and_revokes_the_session_on_the_server(
    api: Api,
) -> None:
    await api.register("kim@example.com")
    token = (await api.login("kim@example.com")).json()["access_token"]
    stolen = {"Authorization": f"Bearer {token}"}

    response = await api.client.post("/auth/logout", headers=api.csrf())

    assert response.status_code == 200
    assert response.json() == {"status": "logged out"}
    names = api.cookie_names
    for name in (names.access, names.refresh, names.csrf):
        assert "max-age=0" in set_cookie(response, name).lower()
    assert (await api.client.get("/users/me")).status_code == 401
    assert (await api.client.get("/users/me", headers=stolen)).status_code == 401


async def test_logout_without_a_token_still_answers_200(api: Api) -> None:
    response = await api.client.post("/auth/logout")

    assert response.status_code == 200


async def test_a_new_login_after_logout_works(api: Api) -> None:
    await api.register("lee@example.com")
    await api.login("lee@example.com")
    await api.client.post("/auth/logout", headers=api.csrf())

    await api.login("lee@example.com")

    assert (await api.client.get("/users/me")).status_code == 200
