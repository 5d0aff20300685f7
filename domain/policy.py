"""Authorization policy: what each role may do. Checked inside use cases, for every interface."""

from enum import Enum, auto

from domain.bookings import Booking
from domain.errors import PermissionDenied
from domain.users import Role, User


class Permission(Enum):
    MANAGE_ROOMS = auto()
    MANAGE_USERS = auto()
    MANAGE_ALL_BOOKINGS = auto()
    READ_AUDIT_LOG = auto()


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.USER: frozenset(),
    Role.ADMIN: frozenset(Permission),
}


def can(user: User, permission: Permission) -> bool:
    return user.is_active and permission in ROLE_PERMISSIONS[user.role]


def require(user: User, permission: Permission) -> None:
    if not can(user, permission):
        raise PermissionDenied()


def can_manage_booking(user: User, booking: Booking) -> bool:
    """Owners manage their own bookings; admins manage everyone's."""
    return booking.user_id == user.id or can(user, Permission.MANAGE_ALL_BOOKINGS)


def lacks_required_second_factor(user: User) -> bool:
    """Where second factors are required of admins: an admin who has not enrolled one yet."""
    return user.role is Role.ADMIN and not user.mfa_enabled
