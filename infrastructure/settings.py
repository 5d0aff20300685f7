"""Settings from ROOMKEY_* environment variables, and the signing-key rules for each environment."""

import ipaddress
import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

import limits
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from application.ports import ThrottleScope
from domain.errors import InvalidEmail
from domain.passwords import DEFAULT_MIN_PASSWORD_LENGTH
from infrastructure.email_addresses import parse_email

logger = logging.getLogger("roomkey.settings")

MIN_SECRET_BYTES = 32
# The product's name: a context word no password may contain (NIST SP 800-63B 5.1.1.2).
SERVICE_NAME = "roomkey"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./roomkey.db"


class ConfigurationError(RuntimeError):
    """The settings cannot run safely; the message says what to set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ROOMKEY_", extra="ignore")

    env: Literal["development", "production"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: SecretStr | None = None
    secret_key_file: Path = Path(".roomkey-secret")
    previous_secret_keys: list[SecretStr] = []
    access_token_ttl: timedelta = timedelta(minutes=15)
    session_lifetime: timedelta = timedelta(days=30)
    jwt_issuer: str = "roomkey"
    jwt_audience: str = "roomkey"
    jwt_library: Literal["jose", "pyjwt"] = "jose"
    cookie_secure: bool | None = None
    cookie_samesite: Literal["lax", "strict", "none"] = "lax"
    password_min_length: int = Field(default=DEFAULT_MIN_PASSWORD_LENGTH, ge=8, le=64)
    # The base of the links Roomkey writes; its host is a word no password may contain.
    public_url: str = "http://127.0.0.1:8000"
    argon2_memory_cost: int = 19456
    argon2_time_cost: int = 2
    argon2_parallelism: int = 1
    admin_email: str | None = None
    admin_password: SecretStr | None = None
    demo_rooms: bool | None = None
    # Rate limits in the `limits` notation: "10/15 minutes", "100 per hour", "5/second".
    login_limit_per_account: str = "10/15 minutes"
    login_limit_per_ip: str = "100/15 minutes"
    register_limit_per_ip: str = "20/hour"
    refresh_limit_per_ip: str = "60/minute"
    redis_url: SecretStr | None = None  # may hold a password
    redis_key_prefix: str = "roomkey"
    # Comma-separated addresses or networks whose X-Forwarded-For is believed.
    trusted_proxies: Annotated[list[str], NoDecode] = []
    # Comma-separated origins allowed to call the API with credentials from a browser.
    cors_origins: Annotated[list[str], NoDecode] = []
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    docs_enabled: bool | None = None

    @field_validator("access_token_ttl", "session_lifetime", mode="before")
    @classmethod
    def _seconds_or_iso_duration(cls, value: object) -> object:
        """`900` (seconds) or an ISO 8601 duration such as `PT15M`."""
        return int(value) if isinstance(value, str) and value.strip().isdigit() else value

    @field_validator("trusted_proxies", "cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for network in value:
            ipaddress.ip_network(network, strict=False)  # ValueError names the bad entry
        return value

    @field_validator("cors_origins")
    @classmethod
    def _explicit_origins(cls, value: list[str]) -> list[str]:
        if "*" in value:
            # Credentials (the cookie) go with every request: a wildcard would hand them to
            # any site. Name each origin.
            raise ValueError("ROOMKEY_CORS_ORIGINS must list origins explicitly, not '*'")
        return value

    @field_validator("login_limit_per_account", "login_limit_per_ip", "register_limit_per_ip",
                     "refresh_limit_per_ip")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        try:
            limits.parse(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate limit such as '10/15 minutes'") from None
        return value

    @field_validator("admin_email")
    @classmethod
    def _admin_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return parse_email(value).value
        except InvalidEmail as error:
            raise ValueError(f"ROOMKEY_ADMIN_EMAIL: {error.detail}") from None

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("ROOMKEY_PUBLIC_URL must be an http:// or https:// URL with a host, "
                             "such as https://rooms.example.com")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        url = value.get_secret_value() if value else ""
        if url and not url.startswith(("redis://", "rediss://")):
            raise ValueError("ROOMKEY_REDIS_URL must start with redis:// or rediss://")
        return value if url else None

    @model_validator(mode="after")
    def _check_consistency(self) -> "Settings":
        if self.cookie_samesite == "none" and not self.secure_cookies:
            raise ValueError("ROOMKEY_COOKIE_SAMESITE=none needs ROOMKEY_COOKIE_SECURE=true")
        if (self.admin_email is None) != (self.admin_password is None):
            raise ValueError("Set both ROOMKEY_ADMIN_EMAIL and ROOMKEY_ADMIN_PASSWORD, or neither")
        if not timedelta(0) < self.access_token_ttl <= self.session_lifetime:
            raise ValueError("ROOMKEY_ACCESS_TOKEN_TTL must be positive and at most "
                             "ROOMKEY_SESSION_LIFETIME")
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
    def serves_docs(self) -> bool:
        """/docs and /openapi.json: on in development, off in production unless asked for."""
        return (not self.is_production) if self.docs_enabled is None else self.docs_enabled

    @property
    def public_host(self) -> str:
        return urlsplit(self.public_url).hostname or ""

    @property
    def redis_url_value(self) -> str | None:
        return self.redis_url.get_secret_value() if self.redis_url else None

    @property
    def throttle_rates(self) -> dict[ThrottleScope, str]:
        return {
            ThrottleScope.LOGIN_PER_ACCOUNT: self.login_limit_per_account,
            ThrottleScope.LOGIN_PER_IP: self.login_limit_per_ip,
            ThrottleScope.REGISTER_PER_IP: self.register_limit_per_ip,
            ThrottleScope.REFRESH_PER_IP: self.refresh_limit_per_ip,
        }

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


def previous_secret_keys(settings: Settings) -> list[str]:
    """Retired signing keys that still verify tokens until those expire (key rotation)."""
    keys = [key.get_secret_value() for key in settings.previous_secret_keys]
    if any(len(key.encode()) < MIN_SECRET_BYTES for key in keys):
        raise ConfigurationError(
            f"Every ROOMKEY_PREVIOUS_SECRET_KEYS entry must be at least {MIN_SECRET_BYTES} bytes")
    return keys


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
