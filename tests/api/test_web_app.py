"""The browser app as HTTP sees it: where `/` leads, the pages' policy, the switch that removes it.
What the pages do in a browser is tested in tests/browser/."""

import pytest

from tests.api.conftest import Api, AppFactory

pytestmark = pytest.mark.parametrize("database_url", ["memory"], indirect=True)


async def test_the_root_sends_browsers_to_the_app_whatever_the_host_header(api: Api) -> None:
    response = await api.client.get("/", headers={"Host": "evil.example"})
    bare = await api.client.get("/app", headers={"Host": "evil.example"})

    assert response.status_code == bare.status_code == 307
    assert response.headers["location"] == bare.headers["location"] == "/app/"


@pytest.mark.parametrize("page", ["/app/", "/app/sign-in", "/app/admin/audit"])
async def test_every_page_is_the_shell_under_a_strict_policy(api: Api, page: str) -> None:
    response = await api.client.get(page)

    assert response.status_code == 200
    assert '<script type="module" src="/app/assets/js/main.js">' in response.text
    policy = dict(part.strip().split(" ", 1)
                  for part in response.headers["content-security-policy"].split(";"))
    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == policy["base-uri"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert "unsafe" not in response.headers["content-security-policy"]


async def test_the_assets_are_served_and_a_missing_one_is_a_404(api: Api) -> None:
    script = await api.client.get("/app/assets/js/api.js")
    missing = await api.client.get("/app/assets/js/missing.js")

    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.headers["cache-control"] == "no-cache"  # revalidated: never a stale version
    assert "X-CSRF-Token" in script.text
    assert missing.status_code == 404


async def test_the_api_keeps_its_own_policy(api: Api) -> None:
    response = await api.client.get("/rooms")

    assert response.headers["content-security-policy"].startswith("default-src 'none'")


async def test_web_enabled_false_removes_the_app(api_factory: AppFactory) -> None:
    api = await api_factory(web_enabled=False)

    statuses = [(await api.client.get(path)).status_code
                for path in ("/", "/app/", "/app/sign-in", "/app/assets/js/api.js")]

    assert statuses == [404, 404, 404, 404]
    assert (await api.client.get("/rooms")).status_code == 200
