"""Settings from ROOMKEY_* environment variables, and the signing-key rules for each environment."""

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.passwords import DEFAULT_MIN_PASSWORD_LENGTH

logger = logging.getLogger("roomkey.settings")

MIN_SECRET_BYTES = 32
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./roomkey.db"


class ConfigurationError(RuntimeError):
    """The settings cannot run safely; the message says what to set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ROOMKEY_", extra="ignore")

    env: Literal["development", "production"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: SecretStr | None = None
    secret_key_file: Path = Path(".roomkey-secret")
    access_token_ttl: timedelta = timedelta(minutes=15)
    jwt_issuer: str = "roomkey"
    jwt_audience: str = "roomkey"
    jwt_library: Literal["jose", "pyjwt"] = "jose"
    cookie_secure: bool | None = None
    cookie_samesite: Literal["lax", "strict", "none"] = "lax"
    password_min_length: int = Field(default=DEFAULT_MIN_PASSWORD_LENGTH, ge=8, le=64)
    argon2_memory_cost: int = 19456
    argon2_time_cost: int = 2
    argon2_parallelism: int = 1
    admin_email: str | None = None
    admin_password: SecretStr | None = None
    demo_rooms: bool | None = None

    @field_validator("access_token_ttl", mode="before")
    @classmethod
    def _seconds_or_iso_duration(cls, value: object) -> object:
        """`900` (seconds) or an ISO 8601 duration such as `PT15M`."""
        return int(value) if isinstance(value, str) and value.strip().isdigit() else value

    @model_validator(mode="after")
    def _check_consistency(self) -> "Settings":
        if self.cookie_samesite == "none" and not self.secure_cookies:
            raise ValueError("ROOMKEY_COOKIE_SAMESITE=none needs ROOMKEY_COOKIE_SECURE=true")
        if (self.admin_email is None) != (self.admin_password is None):
            raise ValueError("Set both ROOMKEY_ADMIN_EMAIL and ROOMKEY_ADMIN_PASSWORD, or neither")
        if self.access_token_ttl <= timedelta(0):
            raise ValueError("ROOMKEY_ACCESS_TOKEN_TTL must be positive")
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def secure_cookies(self) -> bool:
        """Secure cookies unless told otherwise, except in development (plain-HTTP localhost)."""
        return self.is_production if self.cookie_secure is None else self.cookie_secure

    @property
    def seeds_demo_rooms(self) -> bool:
        return (not self.is_production) if self.demo_rooms is None else self.demo_rooms

    @property
    def uses_memory(self) -> bool:
        return self.database_url.startswith("memory://")


def resolve_secret_key(settings: Settings) -> str:
    """The HMAC signing key.

    Production refuses to start without a strong key. Development generates one and keeps it in
    a local file (created with mode 0600), so tokens survive restarts without any set-up.
    """
    if settings.secret_key is not None:
        key = settings.secret_key.get_secret_value()
        if len(key.encode()) < MIN_SECRET_BYTES:
            raise ConfigurationError(
                f"ROOMKEY_SECRET_KEY is shorter than {MIN_SECRET_BYTES} bytes; generate one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )
        return key
    if settings.is_production:
        raise ConfigurationError(
            "ROOMKEY_SECRET_KEY is not set. In production Roomkey will not start without a "
            f"signing key of at least {MIN_SECRET_BYTES} bytes."
        )
    return _development_key(settings.secret_key_file)


def _development_key(path: Path) -> str:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip()
        if len(key.encode()) >= MIN_SECRET_BYTES:
            return key
        raise ConfigurationError(
            f"{path} holds a key shorter than {MIN_SECRET_BYTES} bytes") from None
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as file:
        file.write(key)
    logger.warning("No ROOMKEY_SECRET_KEY set: generated a development key in %s. "
                   "Set ROOMKEY_SECRET_KEY in production.", path.resolve())
    return key
