"""Routes for accounts: the current user, closing one's account, and user administration."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Request, Response

from application.delete_account import DeleteAccount
from application.list_users import ListUsers
from application.update_user_access import UpdateUserAccess
from interfaces.http.client_context import Context
from interfaces.http.cookies import clear_session_cookies
from interfaces.http.dependencies import (
    JSON_ONLY,
    AdminUser,
    CurrentUser,
    RecentAdminAuthentication,
    RecentAuthentication,
    container,
    use_case,
)
from interfaces.http.schemas import StatusOut, UserAccessIn, UserOut
from interfaces.http.schemas_mfa import PasswordIn

router = APIRouter(tags=["users"])


@router.get("/users/me")
async def me(user: CurrentUser) -> UserOut:
    return UserOut.of(user)


@router.delete("/users/me", dependencies=JSON_ONLY, description=DeleteAccount.__doc__)
async def delete_account(
    body: PasswordIn, auth: RecentAuthentication, context: Context, request: Request,
    response: Response, delete_account: Annotated[DeleteAccount, use_case("delete_account")],
) -> StatusOut:
    await delete_account.execute(actor=auth.user, password=body.password, context=context)
    clear_session_cookies(response, container(request).settings())
    return StatusOut(status="account deleted")


@router.get("/admin/users", description=ListUsers.__doc__)
async def list_users(
    actor: AdminUser, list_users: Annotated[ListUsers, use_case("list_users")]
) -> list[UserOut]:
    return [UserOut.of(user) for user in await list_users.execute(actor=actor)]


@router.patch("/admin/users/{user_id}", dependencies=JSON_ONLY,
              description=UpdateUserAccess.__doc__)
async def update_user_access(
    user_id: uuid.UUID, body: UserAccessIn, auth: RecentAdminAuthentication, context: Context,
    update_user_access: Annotated[UpdateUserAccess, use_case("update_user_access")],
) -> UserOut:
    user = await update_user_access.execute(actor=auth.user, user_id=user_id,
                                            is_active=body.is_active, role=body.role,
                                            context=context)
    return UserOut.of(user)
