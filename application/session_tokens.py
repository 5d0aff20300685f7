"""What a login or a refresh hands out: an access token and a refresh token for one session."""

from dataclasses import dataclass

from application.ports import AccessToken, TokenCodec, UnitOfWork
from domain.sessions import RefreshToken, RefreshTokenRecord, Session


@dataclass(frozen=True, slots=True)
class SessionTokens:
    session: Session
    access_token: AccessToken
    refresh_token: RefreshToken


async def store_new_refresh_token(uow: UnitOfWork, session: Session) -> RefreshToken:
    """Mint a refresh token for the session; store its digest in the caller's transaction."""
    token = RefreshToken.mint()
    await uow.refresh_tokens.add(RefreshTokenRecord(
        digest=token.digest, session_id=session.id, created_at=session.last_used_at))
    return token


def issue_access_token(tokens: TokenCodec, session: Session) -> AccessToken:
    return tokens.issue(subject=str(session.user_id), session_id=str(session.id))
