"""Helpers for the API tests that send mail through the real SMTP server of tests/mail_server.py."""

from dataclasses import dataclass

import httpx

from tests.api.conftest import Api, AppFactory
from tests.mail_server import Inbox, SmtpServer


@dataclass
class MailApi:
    api: Api
    inbox: Inbox

    @property
    def client(self) -> httpx.AsyncClient:
        return self.api.client

    async def deliver(self) -> int:
        """One round of the outbox dispatcher, as `roomkey serve` runs every few seconds."""
        return await self.api.container.mail_dispatcher().run_once()

    async def token_for(self, address: str) -> str:
        await self.deliver()
        return self.inbox.token_for(address)

    async def request_reset(self, email: str) -> httpx.Response:
        return await self.client.post("/auth/password-reset", json={"email": email})

    async def confirm_reset(self, token: str, new_password: str) -> httpx.Response:
        return await self.client.post("/auth/password-reset/confirm",
                                      json={"token": token, "new_password": new_password})

    async def verify(self, token: str) -> httpx.Response:
        return await self.client.post("/auth/verify-email", json={"token": token})


async def mail_api(api_factory: AppFactory, server: SmtpServer, **overrides: object) -> MailApi:
    api = await api_factory(**({"smtp_url": server.url} | overrides))
    return MailApi(api=api, inbox=server.inbox)
