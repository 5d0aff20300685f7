"""Routes for the current user's sessions: list, revoke one, log out everywhere, new password."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Request, Response, status

from application.change_password import ChangePassword
from application.list_sessions import ListSessions
from application.logout_everywhere import LogoutEverywhere
from application.revoke_session import RevokeSession
from interfaces.http.client_context import Context
from interfaces.http.cookies import clear_session_cookies
from interfaces.http.dependencies import (
    JSON_ONLY,
    CurrentAuthentication,
    CurrentUser,
    RecentAuthentication,
    container,
    use_case,
)
from interfaces.http.schemas import PasswordChangeIn, SessionOut, StatusOut

router = APIRouter(prefix="/auth", tags=["sessions"])


@router.get("/sessions", description=ListSessions.__doc__)
async def list_sessions(
    auth: CurrentAuthentication, list_sessions: Annotated[ListSessions, use_case("list_sessions")]
) -> list[SessionOut]:
    sessions = await list_sessions.execute(actor=auth.user)
    return [SessionOut.of(session, current_id=auth.session_id) for session in sessions]


@router.delete("/sessions/{session_id}", dependencies=JSON_ONLY,
               status_code=status.HTTP_204_NO_CONTENT, description=RevokeSession.__doc__)
async def revoke_session(
    session_id: uuid.UUID, actor: CurrentUser,
    revoke_session: Annotated[RevokeSession, use_case("revoke_session")],
) -> Response:
    await revoke_session.execute(actor=actor, session_id=session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/logout-all", dependencies=JSON_ONLY, description=LogoutEverywhere.__doc__)
async def logout_all(
    actor: CurrentUser, request: Request, response: Response,
    logout_everywhere: Annotated[LogoutEverywhere, use_case("logout_everywhere")],
) -> StatusOut:
    await logout_everywhere.execute(actor=actor)
    clear_session_cookies(response, container(request).settings())
    return StatusOut(status="logged out everywhere")


@router.post("/change-password", dependencies=JSON_ONLY, description=ChangePassword.__doc__)
async def change_password(
    body: PasswordChangeIn, auth: RecentAuthentication, context: Context,
    change_password: Annotated[ChangePassword, use_case("change_password")],
) -> StatusOut:
    await change_password.execute(actor=auth.user, session_id=auth.session_id,
                                  current_password=body.current_password,
                                  new_password=body.new_password, context=context)
    return StatusOut(status="password changed")
