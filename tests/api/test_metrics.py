"""GET /metrics: what is counted, under which labels, and who may read it."""

import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families

from infrastructure.hashing import PasslibPasswordHasher
from tests.api.conftest import PASSWORD, Api, AppFactory

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(api: Api, **headers: str) -> tuple[str, Samples]:
    response = await api.client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples = {(sample.name, frozenset(sample.labels.items())): sample.value
               for family in text_string_to_metric_families(response.text)
               for sample in family.samples}
    return response.text, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_requests_are_counted_by_route_template_method_and_status(
    api_factory: AppFactory,
) -> None:
    api = await api_factory()
    headers = await api.bearer_for("count@example.com")
    booking_id = str(uuid.uuid4())
    for _ in range(3):
        assert (await api.client.get("/bookings", headers=headers)).status_code == 200
    assert (await api.client.delete(f"/bookings/{booking_id}", headers=headers)).status_code == 404
    await api.client.get("/count@example.com/secret-path")

    text, samples = await scrape(api)

    assert value(samples, "roomkey_http_requests_total", route="/bookings", method="GET",
                 status="200") == 3
    assert value(samples, "roomkey_http_requests_total", route="/bookings/{booking_id}",
                 method="DELETE", status="404") == 1
    assert value(samples, "roomkey_http_requests_total", route="unmatched", method="GET",
                 status="404") == 1
    assert value(samples, "roomkey_http_request_duration_seconds_count", route="/bookings",
                 method="GET") == 3
    # Templates, never paths: no id, email or made-up path reaches a label.
    for leaked in (booking_id, "count@example.com", "secret-path"):
        assert leaked not in text


async def test_an_odd_method_is_one_label(api_factory: AppFactory) -> None:
    api = await api_factory()
    for method in ("BREW", "WHEN"):
        await api.client.request(method, "/rooms")
    _, samples = await scrape(api)
    assert value(samples, "roomkey_http_requests_total", route="/rooms", method="other",
                 status="405") == 2


async def test_logins_are_counted_by_outcome_and_throttles_by_scope(
    api_factory: AppFactory,
) -> None:
    api = await api_factory(login_limit_per_account="2/minute", register_limit_per_ip="1/hour")
    assert (await api.register("outcomes@example.com")).status_code == 201
    assert (await api.register("second@example.com")).status_code == 429
    assert (await api.login("outcomes@example.com", "not the password at all")).status_code == 401
    assert (await api.login("outcomes@example.com")).status_code == 200
    assert (await api.login("outcomes@example.com", "not the password again")).status_code == 401
    assert (await api.login("outcomes@example.com", "and a third wrong one")).status_code == 401
    assert (await api.login("outcomes@example.com")).status_code == 429

    _, samples = await scrape(api)

    assert {outcome: value(samples, "roomkey_logins_total", outcome=outcome)
            for outcome in ("succeeded", "failed", "throttled")} == {
        "succeeded": 1, "failed": 3, "throttled": 1}
    assert value(samples, "roomkey_throttle_rejections_total", scope="login_per_account") == 1
    assert value(samples, "roomkey_throttle_rejections_total", scope="register_per_ip") == 1


async def test_a_login_refused_per_address_is_a_throttled_login(api_factory: AppFactory) -> None:
    api = await api_factory(login_limit_per_ip="1/minute")
    await api.login("someone@example.com")
    assert (await api.login("someone@example.com")).status_code == 429
    _, samples = await scrape(api)
    assert value(samples, "roomkey_logins_total", outcome="throttled") == 1
    assert value(samples, "roomkey_throttle_rejections_total", scope="login_per_ip") == 1


async def test_active_sessions_are_counted_at_each_scrape(api_factory: AppFactory) -> None:
    api = await api_factory()
    laptop = await api.bearer_for("gauge@example.com")
    await api.bearer_for("gauge@example.com")
    assert value((await scrape(api))[1], "roomkey_active_sessions") == 2

    await api.client.post("/auth/logout", headers=laptop)
    assert value((await scrape(api))[1], "roomkey_active_sessions") == 1


async def test_password_hashing_is_timed(api_factory: AppFactory) -> None:
    api = await api_factory()
    # The suite's cheap hasher, under the timing wrapper the container puts around the real one.
    api.container.hasher.reset_override()
    api.container.passlib_hasher.override(
        PasslibPasswordHasher(argon2_memory_cost=8, argon2_time_cost=1))
    await api.bearer_for("hashing@example.com")

    _, samples = await scrape(api)

    assert value(samples, "roomkey_password_hash_duration_seconds_count", operation="hash") == 1
    assert value(samples, "roomkey_password_hash_duration_seconds_count", operation="verify") == 1
    assert value(samples, "roomkey_password_hash_duration_seconds_sum", operation="verify") > 0


async def test_the_pool_in_use_is_reported_on_sql(api_factory: AppFactory) -> None:
    api = await api_factory()
    await api.bearer_for("pool@example.com")
    _, samples = await scrape(api)
    if api.container.backend() == "sql":
        assert value(samples, "roomkey_database_connections_in_use", pool="sqlalchemy") == 0
        assert ("roomkey_database_connections_in_use",
                frozenset({("pool", "sqlalchemy")})) in samples
    if "postgresql" in api.container.settings().database_url:
        assert value(samples, "roomkey_database_connections_in_use", pool="asyncpg") == 0
        assert ("roomkey_database_connections_in_use",
                frozenset({("pool", "asyncpg")})) in samples


@pytest.mark.parametrize(
    ("authorization", "status"),
    [(None, 401), ("Bearer wrong-token", 401), ("Bearer metrics-reader-token-1", 200),
     ("bearer metrics-reader-token-1", 401), ("Bearer metrics-reader-token-1 ", 401)],
    ids=["none", "wrong", "right", "lower-case-scheme", "trailing-space"],
)
async def test_a_configured_token_is_required(
    api_factory: AppFactory, authorization: str | None, status: int
) -> None:
    api = await api_factory(metrics_token="metrics-reader-token-1")
    headers = {"Authorization": authorization} if authorization else {}
    response = await api.client.get("/metrics", headers=headers)
    assert response.status_code == status
    if status == 401:
        assert response.json() == {"detail": "Not authenticated"}


async def test_metrics_can_be_turned_off(api_factory: AppFactory) -> None:
    api = await api_factory(metrics_enabled=False)
    await api.register("off@example.com", PASSWORD)
    assert (await api.client.get("/metrics")).status_code == 404
    assert api.container.metrics() is None
