"""Password reset through HTTP and a real SMTP server, on every backend."""

from datetime import timedelta

import pytest

from tests.api.conftest import PASSWORD, AppFactory
from tests.api.mail_helpers import MailApi, mail_api
from tests.mail_server import SmtpServer, text_body

NEW_PASSWORD = "quiet meadow lantern 42"
ALICE = "alice@example.com"
INVALID = {"detail": "Invalid or expired token"}


@pytest.fixture
async def mail(api_factory: AppFactory, running_smtp_server: SmtpServer) -> MailApi:
    return await mail_api(api_factory, running_smtp_server)


async def _reset_token(mail: MailApi, email: str = ALICE) -> str:
    # The registration's link first: mail queued at one instant of the test's fixed clock goes
    # out in no set order, and the reset link must be the newest mail.
    await mail.deliver()
    response = await mail.request_reset(email)
    assert response.status_code == 202, response.text
    return await mail.token_for(email)


async def test_the_whole_reset_flow_through_the_mail(mail: MailApi) -> None:
    await mail.api.register(ALICE)
    old_bearer = await mail.api.bearer_for(ALICE)
    token = await _reset_token(mail)

    confirmed = await mail.confirm_reset(token, NEW_PASSWORD)

    assert confirmed.status_code == 200, confirmed.text
    assert (await mail.api.login(ALICE, PASSWORD)).status_code == 401
    assert (await mail.api.login(ALICE, NEW_PASSWORD)).status_code == 200
    mail.client.cookies.clear()
    assert (await mail.client.get("/users/me", headers=old_bearer)).status_code == 401
    await mail.deliver()
    notice = mail.inbox.to(ALICE)[-1]
    assert notice["Subject"] == "Your Roomkey password was changed"
    assert "If this was not you" in text_body(notice)


async def test_the_reset_mail_links_to_the_app_page_with_the_token_in_the_fragment(
    mail: MailApi,
) -> None:
    await mail.api.register(ALICE)
    token = await _reset_token(mail)

    message = mail.inbox.to(ALICE)[-1]
    assert f"http://127.0.0.1:8000/app/reset-password#token={token}" in text_body(message)
    assert message.get_body(preferencelist=("html",)) is not None
    assert message["Message-ID"].endswith("@localhost>")


async def test_a_reset_token_works_once(mail: MailApi) -> None:
    await mail.api.register(ALICE)
    token = await _reset_token(mail)
    assert (await mail.confirm_reset(token, NEW_PASSWORD)).status_code == 200

    again = await mail.confirm_reset(token, "another fine phrase 7")

    assert again.status_code == 400
    assert again.json() == INVALID
    assert (await mail.api.login(ALICE, NEW_PASSWORD)).status_code == 200


async def test_a_reset_token_expires(mail: MailApi) -> None:
    await mail.api.register(ALICE)
    token = await _reset_token(mail)

    mail.api.clock.advance(timedelta(minutes=30, seconds=1))

    assert (await mail.confirm_reset(token, NEW_PASSWORD)).json() == INVALID


async def test_only_the_newest_reset_token_works(mail: MailApi) -> None:
    await mail.api.register(ALICE)
    first = await _reset_token(mail)
    second = await _reset_token(mail)
    assert first != second

    assert (await mail.confirm_reset(first, NEW_PASSWORD)).status_code == 400
    assert (await mail.confirm_reset(second, NEW_PASSWORD)).status_code == 200


async def test_a_password_change_kills_outstanding_reset_tokens(mail: MailApi) -> None:
    await mail.api.register(ALICE)
    token = await _reset_token(mail)
    bearer = await mail.api.bearer_for(ALICE)

    changed = await mail.client.post(
        "/auth/change-password", headers=bearer,
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status_code == 200, changed.text

    assert (await mail.confirm_reset(token, "another fine phrase 7")).json() == INVALID
    await mail.deliver()
    assert mail.inbox.to(ALICE)[-1]["Subject"] == "Your Roomkey password was changed"


async def test_the_new_password_must_meet_the_policy_and_the_token_survives(
    mail: MailApi,
) -> None:
    await mail.api.register(ALICE)
    token = await _reset_token(mail)

    refused = await mail.confirm_reset(token, "short")

    assert refused.status_code == 422
    assert "password" in str(refused.json()["detail"]).lower()
    assert (await mail.confirm_reset(token, NEW_PASSWORD)).status_code == 200


async def test_a_made_up_token_is_refused(mail: MailApi) -> None:
    response = await mail.confirm_reset("x" * 43, NEW_PASSWORD)

    assert response.status_code == 400
    assert response.json() == INVALID


async def test_registered_unknown_and_inactive_addresses_get_identical_answers(
    mail: MailApi,
) -> None:
    await mail.api.register(ALICE)
    inactive = await mail.api.register("bob@example.com")
    admin = await mail.api.admin()
    await mail.client.patch(f"/admin/users/{inactive.json()['id']}", headers=admin,
                            json={"is_active": False})
    await mail.deliver()
    before = len(mail.inbox.received)

    answers = [await mail.request_reset(email)
               for email in (ALICE, "nobody@example.com", "bob@example.com")]
    # Refused at the edge by its syntax alone, as at login: that tells nothing about accounts.
    malformed = await mail.request_reset("not an address")

    assert {a.status_code for a in answers} == {202}
    assert malformed.status_code == 422
    assert len({a.content for a in answers}) == 1
    assert answers[0].json() == {
        "detail": "If that address has an account, a reset link has been sent"}
    await mail.deliver()
    assert [recipients for recipients, _ in mail.inbox.received[before:]] == [[ALICE]]


async def test_over_the_account_limit_the_answer_is_the_same_and_no_mail_goes(
    mail: MailApi,
) -> None:
    await mail.api.register(ALICE)
    await mail.deliver()
    before = len(mail.inbox.to(ALICE))

    answers = [await mail.request_reset(ALICE) for _ in range(4)]

    assert len({(a.status_code, a.content) for a in answers}) == 1
    await mail.deliver()
    assert len(mail.inbox.to(ALICE)) - before == 3


async def test_over_the_address_limit_the_answer_is_429(
    api_factory: AppFactory, running_smtp_server: SmtpServer,
) -> None:
    mail = await mail_api(api_factory, running_smtp_server,
                          password_reset_limit_per_ip="2/hour")

    answers = [(await mail.request_reset(f"u{i}@example.com")).status_code for i in range(3)]

    assert answers == [202, 202, 429]
