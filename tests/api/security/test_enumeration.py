"""Login failures that cannot be told apart: the same bytes, and one hash verification each."""

import unicodedata

import httpx
import pytest

from tests.api.conftest import PASSWORD, Api
from tests.fakes import CountingPasswordHasher


@pytest.fixture
async def hank(api: Api) -> str:
    """An account, and an inactive one."""
    await api.register("hank@example.com")
    inactive = await api.register("ina@example.com")
    await api.client.patch(f"/admin/users/{inactive.json()['id']}", json={"is_active": False},
                           headers=await api.admin())
    return "hank@example.com"


def comparable(response: httpx.Response) -> tuple[int, bytes, dict[str, str]]:
    headers = {k: v for k, v in response.headers.items() if k != "x-request-id"}
    return response.status_code, response.content, headers


async def test_unknown_email_wrong_password_and_inactive_answer_the_same_bytes(
    api: Api, hank: str
) -> None:
    unknown = await api.login("nobody@example.com", PASSWORD)
    wrong = await api.login(hank, "wrong password 1")
    inactive = await api.login("ina@example.com", PASSWORD)

    assert comparable(unknown) == comparable(wrong) == comparable(inactive)
    assert unknown.status_code == 401


@pytest.mark.parametrize(("email", "password", "status"), [
    ("nobody@example.com", PASSWORD, 401),
    ("hank@example.com", "wrong password 1", 401),
    ("ina@example.com", PASSWORD, 401),
    ("hank@example.com", PASSWORD, 200),
])
async def test_every_login_runs_exactly_one_hash_verification(
    api: Api, hank: str, email: str, password: str, status: int
) -> None:
    counting = CountingPasswordHasher(api.container.hasher())
    api.container.hasher.override(counting)

    response = await api.login(email, password)

    assert response.status_code == status
    assert counting.verify_calls == 1


@pytest.mark.parametrize("email", ["not an email", "a@b.c", "hank@example"])
async def test_a_malformed_email_is_422_before_any_hash_is_verified(
    api: Api, hank: str, email: str
) -> None:
    """It depends on the address's syntax alone, so it tells nothing about accounts."""
    counting = CountingPasswordHasher(api.container.hasher())
    api.container.hasher.override(counting)

    response = await api.login(email, PASSWORD)

    assert response.status_code == 422
    assert counting.verify_calls == 0


async def test_a_throttled_login_verifies_nothing(api: Api, hank: str) -> None:
    for _ in range(10):
        await api.login(hank, "wrong password 1")
    counting = CountingPasswordHasher(api.container.hasher())
    api.container.hasher.override(counting)

    response = await api.login(hank, PASSWORD)

    assert (response.status_code, counting.verify_calls) == (429, 0)


@pytest.mark.parametrize(("password", "reason"), [
    ("x7#kq9!m2vb", "at least 12 characters"),
    ("xq7#" * 32 + "x", "at most 128 characters"),
    ("ChristopheR1", "too common"),
    ("ADMINISTRATOR", "too common"),
    ("carol-rules-2024", "name part of the email"),
    # NIST SP 800-63B: repetitive and sequential characters (issue 9's reproductions).
    ("aaaaaaaaaaaa", "repeated or sequential"),
    ("abcabcabcabc", "repeated or sequential"),
    ("123456789012", "repeated or sequential"),
    ("qwertyuiop12", "too common"),  # listed, and a keyboard run: either refusal will do
    # Context words: the service's name, its host (127.0.0.1 by default), the email's domain.
    ("roomkey2026!", "the service's name"),
    ("roomkeyroomkey", "the service's name"),
    ("example.com!!", "the email's domain"),
    ("127.0.0.1-horses", "its host"),
])
async def test_register_refuses_a_weak_password_saying_why_never_echoing_it(
    api: Api, password: str, reason: str
) -> None:
    response = await api.register("carol-rules@example.com", password)

    assert response.status_code == 422
    assert reason in response.json()["detail"]
    assert password not in response.text


async def test_register_refuses_a_nul_in_the_password_at_the_edge_never_echoing_it(
    api: Api,
) -> None:
    password = "quiet\x00harbour lights"
    response = await api.register("carol-rules@example.com", password)

    assert response.status_code == 422
    assert "NUL" in response.text
    assert "harbour" not in response.text


@pytest.mark.parametrize("password", [
    "x7#kq9!m2vb$", "xq7#" * 16, "xq7#" * 32, "🔑🌧️🐙🎻🧭🍋🚲🪐🦔🧀🎲🪁",
    "correct horse battery staple", "zzz sleepy otter", "abcd-quiet-harvest"])
async def test_register_accepts_long_unicode_and_plain_passphrases(
    api: Api, password: str
) -> None:
    assert (await api.register("dora@example.com", password)).status_code == 201
    assert (await api.login("dora@example.com", password)).status_code == 200


async def test_the_nfd_spelling_logs_in_to_an_nfc_registration(api: Api) -> None:
    password = "crème brûlée à la ñ"
    await api.register("chef@example.com", unicodedata.normalize("NFC", password))

    response = await api.login("chef@example.com", unicodedata.normalize("NFD", password))

    assert response.status_code == 200
