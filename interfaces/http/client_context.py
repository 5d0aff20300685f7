"""The RequestContext of a request: the client's address (behind trusted proxies), agent, id."""

import ipaddress
import re
from collections.abc import Iterable, Sequence
from typing import Annotated

from fastapi import Depends, Request
from starlette.types import Scope

from application.ports import RequestContext
from interfaces.http.request_id import current_request_id

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_USER_AGENT = 256
# HTTP servers refuse most of these in headers, but not every ASGI server does, and the agent is
# stored (sessions, audit events): PostgreSQL refuses NUL, and the others forge log lines.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def networks(entries: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def client_ip(scope: Scope, trusted_proxies: Sequence[Network]) -> str | None:
    """The direct peer, unless it is a trusted proxy: then the nearest X-Forwarded-For hop that
    is not one. Hops further left were written by the client and prove nothing."""
    peer = scope.get("client")
    address: str | None = peer[0] if peer else None
    if address is None or not is_trusted(address, trusted_proxies):
        return address
    for hop in reversed(_forwarded_for(scope)):
        if not is_trusted(hop, trusted_proxies):
            # A hop that is no address at all means a misconfigured proxy: keep the proxy's own.
            return hop if _is_address(hop) else address
        address = hop
    return address


def _forwarded_for(scope: Scope) -> list[str]:
    values = [value.decode("latin-1") for name, value in scope["headers"]
              if name == b"x-forwarded-for"]
    return [hop.strip() for value in values for hop in value.split(",") if hop.strip()]


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def is_trusted(value: str, trusted_proxies: Sequence[Network]) -> bool:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    return any(address in network for network in trusted_proxies)


async def request_context(request: Request) -> RequestContext:
    sent = request.headers.get("user-agent", "")
    user_agent = _CONTROL_CHARACTERS.sub("?", sent)[:MAX_USER_AGENT]
    return RequestContext(client_ip=client_ip(request.scope, request.app.state.trusted_proxies),
                          user_agent=user_agent or None, request_id=current_request_id())


Context = Annotated[RequestContext, Depends(request_context)]
