"""The database's revision against the head of the shipped migrations, and settings errors."""

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsError

from infrastructure.persistence.schema import SchemaState, code_heads, compare
from infrastructure.settings import Settings
from infrastructure.settings_errors import describe_settings_error


@pytest.mark.parametrize(("database", "state"), [
    ((), SchemaState.EMPTY),
    (("0001",), SchemaState.BEHIND),
    (("0003",), SchemaState.BEHIND),
    (("9999_unknown",), SchemaState.AHEAD),
])
def test_a_database_not_at_head_is_named_for_what_it_is(
    database: tuple[str, ...], state: SchemaState
) -> None:
    status = compare(database)

    assert status.state is state
    assert not status.current
    assert "roomkey migrate" in status.describe() or state is SchemaState.AHEAD


def test_the_head_comes_from_the_scripts() -> None:
    assert compare(code_heads()).current
    assert compare(code_heads()).state is SchemaState.CURRENT


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("ROOMKEY_PREVIOUS_SECRET_KEYS", "oldkey",
     'ROOMKEY_PREVIOUS_SECRET_KEYS does not parse: expected a JSON list, e.g. ["first", '
     '"second"]'),
    ("ROOMKEY_COOKIE_SECURE", "maybe", "ROOMKEY_COOKIE_SECURE: Input should be a valid boolean"),
    ("ROOMKEY_ENV", "staging", "(expected one of development, production)"),
    ("ROOMKEY_ACCESS_TOKEN_TTL", "soon",
     "(expected seconds, or an ISO 8601 duration such as PT15M)"),
    ("ROOMKEY_TRUSTED_PROXIES", "not-a-network", "(expected a comma-separated list)"),
])
def test_a_setting_that_does_not_parse_is_named_with_the_form_it_wants(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises((ValidationError, SettingsError)) as raised:
        Settings()

    assert expected in describe_settings_error(raised.value)  # type: ignore[arg-type]
