"""Password and code checks of a signed-in user share the account's login limit (issue 9): a
stolen session guesses no faster than a stranger at the login form."""

from tests.api.conftest import PASSWORD, Api
from tests.api.test_mfa import enable_mfa

WRONG = "not the password 1"
NEW_PASSWORD = "a different passphrase 7"


async def test_wrong_current_passwords_end_in_429_before_the_25th(api: Api) -> None:
    headers = await api.bearer_for("ada@example.com")

    statuses = [(await api.client.post(
        "/auth/change-password", headers=headers,
        json={"current_password": WRONG, "new_password": NEW_PASSWORD})).status_code
        for _ in range(25)]

    assert 429 in statuses[:24]
    first_refusal = statuses.index(429)
    assert statuses[:first_refusal] == [403] * first_refusal
    assert set(statuses[first_refusal:]) == {429}
    refused = await api.client.post("/auth/change-password", headers=headers,
                                     json={"current_password": PASSWORD,
                                           "new_password": NEW_PASSWORD})
    assert refused.status_code == 429  # the right password too, while over the limit
    assert 1 <= int(refused.headers["retry-after"]) <= 15 * 60
    admin = await api.admin()
    events = (await api.client.get("/admin/audit", headers=admin, params={"limit": 200})
              ).json()["events"]
    assert [e["type"] for e in events].count("password_check_failed") == first_refusal


async def test_reauthentication_and_logins_count_against_one_limit(api: Api) -> None:
    headers = await api.bearer_for("ada@example.com")
    for _ in range(5):
        await api.login("ada@example.com", WRONG)
    statuses = [(await api.client.post("/auth/reauthenticate", headers=headers,
                                       json={"password": WRONG})).status_code for _ in range(6)]

    assert statuses == [403] * 5 + [429]
    assert (await api.login("ada@example.com")).status_code == 429


async def test_wrong_codes_to_disable_the_second_factor_are_throttled(api: Api) -> None:
    headers = await api.bearer_for("ada@example.com")
    await enable_mfa(api, headers)

    statuses = [(await api.client.request("DELETE", "/auth/mfa/totp", headers=headers,
                                          json={"code": "000000"})).status_code
                for _ in range(6)]

    assert statuses == [403] * 5 + [429]  # ROOMKEY_MFA_LIMIT_PER_ACCOUNT: 5 in 15 minutes
