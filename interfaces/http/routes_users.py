"""Routes for accounts: the current user, and user administration."""

import uuid
from typing import Annotated

from fastapi import APIRouter

from application.list_users import ListUsers
from application.set_user_active import SetUserActive
from interfaces.http.client_context import Context
from interfaces.http.dependencies import CurrentUser, use_case
from interfaces.http.schemas import UserActiveIn, UserOut

router = APIRouter(tags=["users"])


@router.get("/users/me")
async def me(user: CurrentUser) -> UserOut:
    return UserOut.of(user)


@router.get("/admin/users", description=ListUsers.__doc__)
async def list_users(
    actor: CurrentUser, list_users: Annotated[ListUsers, use_case("list_users")]
) -> list[UserOut]:
    return [UserOut.of(user) for user in await list_users.execute(actor=actor)]


@router.patch("/admin/users/{user_id}", description=SetUserActive.__doc__)
async def set_user_active(
    user_id: uuid.UUID, body: UserActiveIn, actor: CurrentUser, context: Context,
    set_user_active: Annotated[SetUserActive, use_case("set_user_active")],
) -> UserOut:
    user = await set_user_active.execute(actor=actor, user_id=user_id, is_active=body.is_active,
                                         context=context)
    return UserOut.of(user)
