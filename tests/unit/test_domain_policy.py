"""The authorization policy: what users and admins may do."""

import uuid
from datetime import UTC, date, datetime

import pytest

from domain.bookings import Booking, DateRange, Room
from domain.errors import PermissionDenied
from domain.policy import Permission, can, can_manage_booking, require
from domain.users import Email, PasswordHash, Role, User


def make_user(*, role: Role = Role.USER, is_active: bool = True) -> User:
    user = User.register(email=Email(f"{uuid.uuid4().hex}@example.com"),
                         password_hash=PasswordHash("h"), now=datetime(2030, 1, 1, tzinfo=UTC),
                         role=role)
    user.is_active = is_active
    return user


def booking_of(user: User) -> Booking:
    room = Room.create(name="Single", description="", price=80, quantity=1)
    return Booking.book(user_id=user.id, room=room,
                        dates=DateRange(date(2030, 2, 1), date(2030, 2, 3)),
                        today=date(2030, 1, 1), overlapping_bookings=0)


@pytest.mark.parametrize("permission", list(Permission))
def test_admin_has_every_permission(permission: Permission) -> None:
    admin = make_user(role=Role.ADMIN)
    assert can(admin, permission)
    require(admin, permission)


@pytest.mark.parametrize("permission", list(Permission))
def test_user_has_no_permission(permission: Permission) -> None:
    user = make_user()
    assert not can(user, permission)
    with pytest.raises(PermissionDenied):
        require(user, permission)


@pytest.mark.parametrize("permission", list(Permission))
def test_inactive_admin_has_no_permission(permission: Permission) -> None:
    admin = make_user(role=Role.ADMIN, is_active=False)
    assert not can(admin, permission)
    with pytest.raises(PermissionDenied):
        require(admin, permission)


def test_owner_can_manage_own_booking() -> None:
    owner = make_user()
    assert can_manage_booking(owner, booking_of(owner))


def test_admin_can_manage_someone_elses_booking() -> None:
    assert can_manage_booking(make_user(role=Role.ADMIN), booking_of(make_user()))


def test_other_user_cannot_manage_someone_elses_booking() -> None:
    assert not can_manage_booking(make_user(), booking_of(make_user()))


def test_inactive_admin_cannot_manage_someone_elses_booking() -> None:
    inactive_admin = make_user(role=Role.ADMIN, is_active=False)
    assert not can_manage_booking(inactive_admin, booking_of(make_user()))
