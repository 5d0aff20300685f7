"""The email rule and the password's context words where settings and the CLI take input:
ROOMKEY_ADMIN_EMAIL, ROOMKEY_PUBLIC_URL and `roomkey create-admin --email`."""

from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from domain.errors import InvalidPassword
from domain.users import Email
from infrastructure.settings import Settings
from interfaces.cli import cli
from interfaces.http.app import build_container

SECRET = "unit-test-secret-" + "x" * 32


def test_the_admin_email_is_normalised_by_the_one_rule() -> None:
    settings = Settings(admin_email=" Admin@Example.COM ", admin_password="keeper-of-the-keys-1")

    assert settings.admin_email == "admin@example.com"


@pytest.mark.parametrize("address", ["<script>alert(1)</script>@x.io", "a@b.c", "admin"])
def test_a_loose_admin_email_is_refused_naming_the_variable(address: str) -> None:
    with pytest.raises(ValidationError, match="ROOMKEY_ADMIN_EMAIL"):
        Settings(admin_email=address, admin_password="keeper-of-the-keys-1")


def test_the_public_host_comes_from_the_public_url() -> None:
    assert Settings().public_host == "127.0.0.1"
    assert Settings(public_url="https://Book.Hotel-Sun.io:8443/base").public_host == (
        "book.hotel-sun.io")


@pytest.mark.parametrize("url", ["ftp://rooms.example.com", "rooms.example.com", "https://"])
def test_a_public_url_without_http_and_a_host_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="ROOMKEY_PUBLIC_URL"):
        Settings(public_url=url)


def test_the_policy_refuses_the_service_name_and_the_public_host() -> None:
    settings = Settings(database_url="memory://", secret_key=SECRET,
                        public_url="https://book.hotel-sun.io")
    policy = build_container(settings).password_policy()
    email = Email("guest@example.org")

    for password in ["roomkey2026!", "hotel-sun holidays", "book.hotel-sun.io"]:
        with pytest.raises(InvalidPassword, match="service's name, its host"):
            policy.check(password, email=email)
    policy.check("quietly falling leaves", email=email)


def test_create_admin_refuses_a_loose_email_before_touching_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = tmp_path / "roomkey.db"
    monkeypatch.setenv("ROOMKEY_DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.setenv("ROOMKEY_SECRET_KEY", SECRET)

    result = CliRunner().invoke(cli, ["create-admin", "--email", "a@b.c", "--password-stdin"],
                                input="keeper-of-the-keys-1\n")

    assert result.exit_code == 2
    assert "--email" in result.output
    assert "top-level domain" in result.output
    assert not database.exists()


def test_create_admin_stores_the_normal_form_of_the_email(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ROOMKEY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'roomkey.db'}")
    monkeypatch.setenv("ROOMKEY_SECRET_KEY", SECRET)
    monkeypatch.setenv("ROOMKEY_ARGON2_MEMORY_COST", "8")

    result = CliRunner().invoke(
        cli, ["create-admin", "--email", " Root@Example.COM", "--password-stdin"],
        input="keeper-of-the-keys-1\n")

    assert result.exit_code == 0, result.output
    assert "created admin root@example.com" in result.output
