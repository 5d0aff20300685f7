"""What production refuses to start with, each in one line, and `roomkey gen-secret`."""

from pathlib import Path

import httpx
import pytest

from infrastructure.signing_keys import key_weakness
from tests.command.running import run, serving
from tests.production import PRODUCTION_ESSENTIALS

# What production needs besides the keys and hosts under test: a data key and a mail relay
# (one that is never reached by these tests).
PRODUCTION = {"env": "production", "database_url": "memory://",
              "allowed_hosts": "api.example.com", **PRODUCTION_ESSENTIALS}
STRONG_KEY = "production-start-test-Qm3xT8vK2pL9wZ4rN7cB5yH1dG6j"


def assert_one_line_refusal(stderr: str, *names: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    for name in names:
        assert name in lines[0]


# The two keys of the reproduction; the rule's other cases are unit tests (test_signing_keys).
@pytest.mark.parametrize("key", ["a" * 32, "password" * 4])
def test_serve_refuses_a_weak_signing_key(tmp_path: Path, key: str) -> None:
    result = run("serve", cwd=tmp_path, **PRODUCTION, secret_key=key)

    assert result.returncode != 0
    assert_one_line_refusal(result.stderr, "ROOMKEY_SECRET_KEY", "roomkey gen-secret")


def test_serve_refuses_production_without_allowed_hosts(tmp_path: Path) -> None:
    result = run("serve", cwd=tmp_path, env="production", database_url="memory://",
                 secret_key=STRONG_KEY, **PRODUCTION_ESSENTIALS)

    assert result.returncode != 0
    assert_one_line_refusal(result.stderr, "ROOMKEY_ALLOWED_HOSTS")


def test_a_generated_key_starts_production_which_answers_only_its_hosts(tmp_path: Path) -> None:
    generated = run("gen-secret", cwd=tmp_path)
    key = generated.stdout.strip()
    assert generated.returncode == 0 and generated.stdout == key + "\n"
    assert key_weakness(key) is None

    with serving(tmp_path, **PRODUCTION | {"allowed_hosts": "localhost"},
                 secret_key=key) as served:
        ours = httpx.get(f"{served.base_url}/health", headers={"Host": "localhost:8000"})
        other = httpx.get(f"{served.base_url}/health", headers={"Host": "evil.example"})

    assert ours.status_code == 200
    assert (other.status_code, other.json()) == (400, {"detail": "Invalid Host header"})


def test_migrate_needs_no_allowed_hosts(tmp_path: Path) -> None:
    result = run("migrate", cwd=tmp_path, env="production", database_url="memory://",
                 secret_key=STRONG_KEY, **PRODUCTION_ESSENTIALS)

    assert (result.returncode, result.stdout.strip()) == (0, "memory:// has no schema to migrate")
