"""Failed logins name the account tried by a keyed fingerprint, so a password spray across
many addresses shows in the audit trail; rate-limit keys in Redis use the same, never a plain
hash of an email (which a list of addresses reverses)."""

import hashlib
import re
from datetime import timedelta

import pytest
import redis

from tests.api.conftest import PASSWORD, Api, AppFactory
from tests.api.security.test_audit_trail import admin_login, audit

WRONG = "not the password 1"
FINGERPRINT = re.compile(r"account ([0-9a-f]{32})")


def plain_digests(email: str) -> list[str]:
    digest = hashlib.sha256(email.encode()).hexdigest()
    return [digest, digest[:32]]


async def failed_login_details(api: Api) -> list[str]:
    page = await audit(api, await admin_login(api), "?type=login_failed&limit=100")
    return [event["detail"] for event in reversed(page["events"])]  # type: ignore[attr-defined]


async def test_failed_logins_for_unknown_emails_are_audited_with_a_fingerprint(api: Api) -> None:
    await api.register("known@example.com")
    for email in ("ghost@example.com", " Ghost@EXAMPLE.com", "other@example.com",
                  "known@example.com"):
        assert (await api.login(email, WRONG)).status_code == 401
        api.clock.advance(timedelta(seconds=1))  # events of one instant have no order

    details = await failed_login_details(api)

    fingerprints = [FINGERPRINT.fullmatch(detail) for detail in details]
    assert all(fingerprints), details
    ghost, ghost_again, other, known = (match.group(1) for match in fingerprints if match)
    assert ghost == ghost_again  # one account, however it is spelled: a spray groups by it
    assert len({ghost, other, known}) == 3


async def test_the_fingerprint_is_keyed_and_reveals_no_email(api_factory: AppFactory) -> None:
    # Two instances over one database, each with its own signing key.
    first = await api_factory()
    other_key = await api_factory(secret_key="another-signing-key-for-fingerprints-Zr8Kq3")
    for api in (first, other_key):
        await api.login("ghost@example.com", WRONG)

    details = await failed_login_details(first)
    trail = (await first.client.get("/admin/audit?limit=100",
                                    headers=await admin_login(first))).text

    assert len(details) == len(set(details)) == 2
    for leak in ("ghost@example.com", *plain_digests("ghost@example.com")):
        assert leak not in trail


@pytest.mark.redis
async def test_redis_holds_no_email_and_no_plain_hash_of_one(
    api_factory: AppFactory, redis_url: str, redis_key_prefix: str
) -> None:
    api = await api_factory(redis_url=redis_url, redis_key_prefix=redis_key_prefix)
    await api.register("alice@example.com")
    await api.login("alice@example.com", WRONG)
    await api.login("bob@example.com", PASSWORD)

    with redis.Redis.from_url(redis_url) as client:
        keys = " ".join(key.decode() for key in client.scan_iter(match=f"{redis_key_prefix}*"))

    assert "login_per_account" in keys
    for email in ("alice@example.com", "bob@example.com"):
        for leak in (email, *plain_digests(email)):
            assert leak not in keys
