"""Routes for accounts: the current user, and user administration."""

import uuid
from typing import Annotated

from fastapi import APIRouter

from application.list_users import ListUsers
from application.update_user_access import UpdateUserAccess
from interfaces.http.client_context import Context
from interfaces.http.dependencies import JSON_ONLY, CurrentUser, use_case
from interfaces.http.schemas import UserAccessIn, UserOut

router = APIRouter(tags=["users"])


@router.get("/users/me")
async def me(user: CurrentUser) -> UserOut:
    return UserOut.of(user)


@router.get("/admin/users", description=ListUsers.__doc__)
async def list_users(
    actor: CurrentUser, list_users: Annotated[ListUsers, use_case("list_users")]
) -> list[UserOut]:
    return [UserOut.of(user) for user in await list_users.execute(actor=actor)]


@router.patch("/admin/users/{user_id}", dependencies=JSON_ONLY,
              description=UpdateUserAccess.__doc__)
async def update_user_access(
    user_id: uuid.UUID, body: UserAccessIn, actor: CurrentUser, context: Context,
    update_user_access: Annotated[UpdateUserAccess, use_case("update_user_access")],
) -> UserOut:
    user = await update_user_access.execute(actor=actor, user_id=user_id,
                                            is_active=body.is_active, role=body.role,
                                            context=context)
    return UserOut.of(user)
