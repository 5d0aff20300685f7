"""User administration: admins list and (de)activate accounts, with effect on the next request."""

import uuid

from tests.api.conftest import ADMIN_EMAIL, Api


async def test_admins_list_users_without_any_hash(api: Api) -> None:
    await api.register("amy@example.com")

    response = await api.client.get("/admin/users", headers=await api.admin())

    assert response.status_code == 200
    emails = [user["email"] for user in response.json()]
    assert emails == [ADMIN_EMAIL, "amy@example.com"]
    assert "hash" not in response.text and "argon2" not in response.text


async def test_users_get_403_and_anonymous_401(api: Api) -> None:
    user = await api.client.get("/admin/users", headers=await api.bearer_for("amy@example.com"))
    anonymous = await api.client.get("/admin/users")

    assert user.status_code == 403
    assert anonymous.status_code == 401


async def test_deactivation_takes_effect_on_the_next_request(api: Api) -> None:
    amy = await api.bearer_for("amy@example.com")
    amy_id = (await api.client.get("/users/me", headers=amy)).json()["id"]

    response = await api.client.patch(f"/admin/users/{amy_id}", json={"is_active": False},
                                      headers=await api.admin())

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert (await api.client.get("/users/me", headers=amy)).status_code == 401
    assert (await api.login("amy@example.com")).status_code == 401


async def test_reactivation_lets_the_user_back_in(api: Api) -> None:
    amy = await api.bearer_for("amy@example.com")
    amy_id = (await api.client.get("/users/me", headers=amy)).json()["id"]
    admin = await api.admin()
    await api.client.patch(f"/admin/users/{amy_id}", json={"is_active": False}, headers=admin)

    await api.client.patch(f"/admin/users/{amy_id}", json={"is_active": True}, headers=admin)

    assert (await api.login("amy@example.com")).status_code == 200


async def test_users_cannot_deactivate_anyone(api: Api) -> None:
    amy = await api.bearer_for("amy@example.com")
    ben = await api.bearer_for("ben@example.com")
    ben_id = (await api.client.get("/users/me", headers=ben)).json()["id"]

    response = await api.client.patch(f"/admin/users/{ben_id}", json={"is_active": False},
                                      headers=amy)

    assert response.status_code == 403
    assert (await api.client.get("/users/me", headers=ben)).status_code == 200


async def test_unknown_user_is_404_and_bad_body_422(api: Api) -> None:
    admin = await api.admin()

    unknown = await api.client.patch(f"/admin/users/{uuid.uuid4()}", json={"is_active": False},
                                     headers=admin)
    bad = await api.client.patch(f"/admin/users/{uuid.uuid4()}", json={"role": "superuser"},
                                 headers=admin)

    assert unknown.status_code == 404
    assert bad.status_code == 422


async def test_admins_cannot_deactivate_themselves(api: Api) -> None:
    admin = await api.admin()
    admin_id = (await api.client.get("/users/me", headers=admin)).json()["id"]

    response = await api.client.patch(f"/admin/users/{admin_id}", json={"is_active": False},
                                      headers=admin)

    assert response.status_code == 403
    assert (await api.client.get("/users/me", headers=admin)).status_code == 200
