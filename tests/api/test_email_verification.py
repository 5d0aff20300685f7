"""Email verification, REQUIRE_VERIFIED_EMAIL, email change and the security notices, through
HTTP and a real SMTP server, on every backend."""

import pytest

from tests.api.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, AppFactory
from tests.api.mail_helpers import MailApi, mail_api
from tests.mail_server import SmtpServer, text_body

ALICE = "alice@example.com"
NEW_ADDRESS = "alice.new@example.org"


@pytest.fixture
async def mail(api_factory: AppFactory, running_smtp_server: SmtpServer) -> MailApi:
    return await mail_api(api_factory, running_smtp_server)


async def _me(mail: MailApi, headers: dict[str, str]) -> dict[str, object]:
    response = await mail.client.get("/users/me", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def test_registration_mails_a_link_that_verifies_the_address(mail: MailApi) -> None:
    await mail.api.register(ALICE)
    bearer = await mail.api.bearer_for(ALICE)
    assert (await _me(mail, bearer))["email_verified"] is False
    token = await mail.token_for(ALICE)
    assert mail.inbox.to(ALICE)[-1]["Subject"] == "Confirm your email address for Roomkey"
    assert f"/app/verify-email#token={token}" in text_body(mail.inbox.to(ALICE)[-1])

    verified = await mail.verify(token)

    assert verified.status_code == 200, verified.text
    assert verified.json()["email_verified"] is True
    assert (await _me(mail, bearer))["email_verified"] is True
    assert (await mail.verify(token)).json() == {"detail": "Invalid or expired token"}


async def test_resend_answers_the_same_for_any_address_and_replaces_the_link(
    mail: MailApi,
) -> None:
    await mail.api.register(ALICE)
    first = await mail.token_for(ALICE)

    answers = [await mail.client.post("/auth/verify-email/resend", json={"email": email})
               for email in (ALICE, "nobody@example.com")]

    assert {a.status_code for a in answers} == {202}
    assert answers[0].content == answers[1].content
    second = await mail.token_for(ALICE)
    assert second != first
    assert (await mail.verify(first)).status_code == 400
    assert (await mail.verify(second)).status_code == 200


async def test_resend_to_a_verified_address_sends_nothing(mail: MailApi) -> None:
    await mail.api.register(ALICE)
    assert (await mail.verify(await mail.token_for(ALICE))).status_code == 200
    count = len(mail.inbox.to(ALICE))

    await mail.client.post("/auth/verify-email/resend", json={"email": ALICE})

    await mail.deliver()
    assert len(mail.inbox.to(ALICE)) == count


async def test_verified_email_required_answers_403_only_after_the_right_password(
    api_factory: AppFactory, running_smtp_server: SmtpServer,
) -> None:
    mail = await mail_api(api_factory, running_smtp_server, require_verified_email=True)
    await mail.api.register(ALICE)

    wrong = await mail.api.login(ALICE, "not the password at all")
    right = await mail.api.login(ALICE, PASSWORD)

    assert wrong.status_code == 401
    assert right.status_code == 403
    assert right.json() == {"detail": "Email address not verified"}
    assert (await mail.verify(await mail.token_for(ALICE))).status_code == 200
    assert (await mail.api.login(ALICE, PASSWORD)).status_code == 200
    # The bootstrap admin counts as verified.
    assert (await mail.api.login(ADMIN_EMAIL, ADMIN_PASSWORD)).status_code == 200


async def test_an_email_change_is_confirmed_from_the_new_address_and_told_to_the_old(
    mail: MailApi,
) -> None:
    await mail.api.register(ALICE)
    bearer = await mail.api.bearer_for(ALICE)

    wrong = await mail.client.post("/users/me/email", headers=bearer, json={
        "new_email": NEW_ADDRESS, "current_password": "not the password at all"})
    asked = await mail.client.post("/users/me/email", headers=bearer, json={
        "new_email": NEW_ADDRESS, "current_password": PASSWORD})

    assert wrong.status_code == 403
    assert asked.status_code == 202, asked.text
    assert (await _me(mail, bearer))["email"] == ALICE
    token = await mail.token_for(NEW_ADDRESS)
    confirmed = await mail.verify(token)
    assert confirmed.status_code == 200, confirmed.text
    me = await _me(mail, bearer)
    assert (me["email"], me["email_verified"]) == (NEW_ADDRESS, True)
    await mail.deliver()
    notice = mail.inbox.to(ALICE)[-1]
    assert notice["Subject"] == "The email address of your Roomkey account was changed"
    assert (await mail.api.login(NEW_ADDRESS, PASSWORD)).status_code == 200
    assert (await mail.api.login(ALICE, PASSWORD)).status_code == 401


async def test_an_email_change_fails_with_409_when_the_address_was_taken_meanwhile(
    mail: MailApi,
) -> None:
    await mail.api.register(ALICE)
    bearer = await mail.api.bearer_for(ALICE)
    await mail.client.post("/users/me/email", headers=bearer, json={
        "new_email": NEW_ADDRESS, "current_password": PASSWORD})
    token = await mail.token_for(NEW_ADDRESS)
    assert (await mail.api.register(NEW_ADDRESS)).status_code == 201

    response = await mail.verify(token)

    assert response.status_code == 409
    assert (await _me(mail, bearer))["email"] == ALICE


async def test_a_taken_address_gets_the_same_answer_and_no_mail(mail: MailApi) -> None:
    await mail.api.register(ALICE)
    await mail.api.register(NEW_ADDRESS)
    await mail.deliver()
    count = len(mail.inbox.to(NEW_ADDRESS))
    bearer = await mail.api.bearer_for(ALICE)

    asked = await mail.client.post("/users/me/email", headers=bearer, json={
        "new_email": NEW_ADDRESS, "current_password": PASSWORD})

    assert asked.status_code == 202
    await mail.deliver()
    assert len(mail.inbox.to(NEW_ADDRESS)) == count


async def test_a_reused_refresh_token_is_told_to_the_account(mail: MailApi) -> None:
    await mail.api.register(ALICE)
    await mail.deliver()
    form = {"username": ALICE, "password": PASSWORD}
    pair = (await mail.client.post("/auth/token", data=form)).json()
    refresh = {"refresh_token": pair["refresh_token"]}
    assert (await mail.client.post("/auth/refresh", json=refresh)).status_code == 200

    replay = await mail.client.post("/auth/refresh", json=refresh,
                                    headers={"User-Agent": "replayer/1.0"})

    assert replay.status_code == 401
    await mail.deliver()
    notice = mail.inbox.to(ALICE)[-1]
    assert notice["Subject"] == "A Roomkey sign-in of yours was ended"
    assert "replayer/1.0" in text_body(notice)


async def test_resends_are_throttled_per_address_and_per_account(
    api_factory: AppFactory, running_smtp_server: SmtpServer,
) -> None:
    mail = await mail_api(api_factory, running_smtp_server, password_reset_limit_per_ip="4/hour",
                          password_reset_limit_per_account="2/hour")
    await mail.api.register(ALICE)
    await mail.deliver()

    answers = [(await mail.client.post("/auth/verify-email/resend",
                                       json={"email": ALICE})).status_code for _ in range(5)]

    assert answers == [202, 202, 202, 202, 429]
    await mail.deliver()
    assert len(mail.inbox.to(ALICE)) == 1 + 2  # registration's link, then two resends
