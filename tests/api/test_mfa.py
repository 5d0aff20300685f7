"""The second factor through HTTP on every backend: enrolment, two-step login, replay, recovery
codes, concurrent second steps, and the secret at rest."""

import asyncio
import base64
from datetime import timedelta

import httpx
import pyotp
from sqlalchemy import select

from infrastructure.persistence.tables import totp_credentials
from tests.api.conftest import PASSWORD, Api, AppFactory

STEP = timedelta(seconds=30)
EMAIL = "ada@example.com"


def code(api: Api, secret: str) -> str:
    """What the user's authenticator shows now."""
    return pyotp.TOTP(secret).at(api.clock.now())


def bearer(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def enable_mfa(api: Api, headers: dict[str, str]) -> tuple[str, list[str]]:
    """Enrol and confirm; the secret and the recovery codes. The confirming code's time step is
    spent, so the clock moves on to the next one."""
    enrolment = await api.client.post("/auth/mfa/totp", headers=headers)
    assert enrolment.status_code == 200, enrolment.text
    secret: str = enrolment.json()["secret"]
    confirmed = await api.client.post("/auth/mfa/totp/confirm", headers=headers,
                                      json={"code": code(api, secret)})
    assert confirmed.status_code == 200, confirmed.text
    api.clock.advance(STEP)
    codes: list[str] = confirmed.json()["recovery_codes"]
    return secret, codes


async def first_step(api: Api, email: str = EMAIL) -> str:
    response = await api.login(email)
    assert response.status_code == 200, response.text
    token: str = response.json()["mfa_token"]
    return token


async def second_step(api: Api, mfa_token: str, **code: str) -> httpx.Response:
    return await api.client.post("/auth/mfa/verify", json={"mfa_token": mfa_token, **code})


async def test_enrol_then_log_in_in_two_steps_then_disable(api: Api) -> None:
    headers = await api.bearer_for(EMAIL)

    enrolment = (await api.client.post("/auth/mfa/totp", headers=headers)).json()
    assert set(enrolment) == {"secret", "otpauth_uri", "qr_svg"}
    assert enrolment["otpauth_uri"].startswith("otpauth://totp/Roomkey:ada%40example.com?")
    assert "issuer=Roomkey" in enrolment["otpauth_uri"]
    assert enrolment["qr_svg"].startswith("<svg")
    me = await api.client.get("/users/me", headers=headers)
    assert me.json()["mfa_enabled"] is False  # not before the confirmation

    confirmed = await api.client.post("/auth/mfa/totp/confirm", headers=headers,
                                      json={"code": code(api, enrolment["secret"])})
    assert confirmed.status_code == 200
    assert len(set(confirmed.json()["recovery_codes"])) == 10
    assert (await api.client.get("/users/me", headers=headers)).json()["mfa_enabled"] is True
    api.clock.advance(STEP)

    first = await api.login(EMAIL)
    assert first.status_code == 200
    assert set(first.json()) == {"mfa_required", "mfa_token", "methods"}
    assert first.json()["mfa_required"] is True
    assert first.json()["methods"] == ["totp", "recovery_code"]
    assert "set-cookie" not in first.headers

    second = await second_step(api, first.json()["mfa_token"], code=code(api, enrolment["secret"]))
    assert second.status_code == 200
    assert set(second.json()) == {"access_token", "token_type", "expires_in"}
    assert api.client.cookies.get(api.cookie_names.access)  # cookies exactly as a login sets them
    assert (await api.client.get("/users/me")).status_code == 200
    api.client.cookies.clear()
    new_headers = bearer(second)

    api.clock.advance(STEP)
    disabled = await api.client.request("DELETE", "/auth/mfa/totp", headers=new_headers,
                                        json={"code": code(api, enrolment["secret"])})
    assert disabled.status_code == 200, disabled.text
    assert (await api.client.get("/users/me", headers=new_headers)).json()["mfa_enabled"] is False
    assert "access_token" in (await api.login(EMAIL)).json()


async def test_the_same_code_twice_is_refused(api: Api) -> None:
    secret, _ = await enable_mfa(api, await api.bearer_for(EMAIL))
    used = code(api, secret)
    assert (await second_step(api, await first_step(api), code=used)).status_code == 200

    replay = await second_step(api, await first_step(api), code=used)

    assert replay.status_code == 401
    assert replay.json() == {"detail": "Invalid authentication code"}


async def test_a_recovery_code_works_once(api: Api) -> None:
    _, codes = await enable_mfa(api, await api.bearer_for(EMAIL))

    once = await second_step(api, await first_step(api), recovery_code=codes[0])
    twice = await second_step(api, await first_step(api), recovery_code=codes[0])

    assert once.status_code == 200, once.text
    assert twice.status_code == 401


async def test_exactly_one_of_concurrent_second_steps_with_one_token_gets_a_session(
    api_factory: AppFactory,
) -> None:
    # A code limit above the eight attempts: the race is what is under test here.
    api = await api_factory(mfa_limit_per_account="100/15 minutes")
    secret, codes = await enable_mfa(api, await api.bearer_for(EMAIL))
    mfa_token = await first_step(api)
    attempts = [{"code": code(api, secret)}] * 4 + [{"recovery_code": c} for c in codes[:4]]

    responses = await asyncio.gather(*(second_step(api, mfa_token, **a) for a in attempts))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [401] * 7, [r.text for r in responses]
    winner = next(r for r in responses if r.status_code == 200)
    api.client.cookies.clear()
    sessions = await api.client.get("/auth/sessions", headers=bearer(winner))
    assert len(sessions.json()) == 2  # the enrolling login's and this one


async def test_the_totp_secret_is_not_stored_in_clear(api: Api) -> None:
    headers = await api.bearer_for(EMAIL)
    secret = (await api.client.post("/auth/mfa/totp", headers=headers)).json()["secret"]

    if api.container.backend() == "memory":
        [credential] = api.container.memory_store().totp_credentials.values()
        stored = credential.sealed_secret
    else:
        async with api.container.engine().connect() as connection:
            stored = (await connection.execute(select(totp_credentials.c.sealed_secret))
                      ).scalar_one()

    assert len(stored) > 0
    assert secret.encode() not in stored
    assert base64.b32decode(secret) not in stored


async def test_the_oauth2_password_form_names_the_two_step_flow_after_the_password_only(
    api: Api,
) -> None:
    await enable_mfa(api, await api.bearer_for(EMAIL))

    right = await api.client.post("/auth/token", data={"username": EMAIL, "password": PASSWORD})
    wrong = await api.client.post("/auth/token", data={"username": EMAIL, "password": "x" * 12})
    unknown = await api.client.post("/auth/token",
                                    data={"username": "nobody@example.com", "password": "x" * 12})

    assert right.status_code == 401
    assert "/auth/mfa/verify" in right.json()["detail"]
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.content == unknown.content
    assert "mfa" not in wrong.text


async def test_a_wrong_password_looks_the_same_with_a_second_factor_or_without(api: Api) -> None:
    await enable_mfa(api, await api.bearer_for(EMAIL))
    await api.register("plain@example.com")

    with_mfa = await api.login(EMAIL, "not the password 1")
    without = await api.login("plain@example.com", "not the password 1")
    unknown = await api.login("nobody@example.com", "not the password 1")

    assert with_mfa.status_code == without.status_code == unknown.status_code == 401
    assert with_mfa.content == without.content == unknown.content
    assert dict(with_mfa.headers) == dict(without.headers) | {
        "x-request-id": with_mfa.headers["x-request-id"]}


async def test_a_made_up_or_malformed_second_step_is_refused_without_a_5xx(api: Api) -> None:
    await enable_mfa(api, await api.bearer_for(EMAIL))
    mfa_token = await first_step(api)

    made_up = await second_step(api, "x" * 43, code="123456")
    both = await second_step(api, mfa_token, code="123456", recovery_code="abcd")
    neither = await api.client.post("/auth/mfa/verify", json={"mfa_token": mfa_token})

    assert made_up.status_code == 401
    assert made_up.json() == {"detail": "The MFA token is invalid or expired; log in again"}
    assert both.status_code == neither.status_code == 422
