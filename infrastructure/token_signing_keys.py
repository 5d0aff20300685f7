"""The token signing keys the settings name: an HMAC secret (HS256) or a P-256 key file (ES256)."""

from pathlib import Path

from infrastructure.settings import (
    ConfigurationError,
    Settings,
    kept_in_file,
    previous_secret_keys,
    resolve_secret_key,
)
from infrastructure.tokens.keys import (
    SigningKey,
    SigningKeys,
    hmac_key,
    load_pem_key,
    new_ec_private_key_pem,
)

DEVELOPMENT_SIGNING_KEY_NAME = ".roomkey-signing-key.pem"


def resolve_signing_keys(settings: Settings) -> SigningKeys:
    """The current key and the retired ones that still verify.

    With ES256, the retired HMAC secrets of ROOMKEY_PREVIOUS_SECRET_KEYS still verify their own
    HS256 tokens (each key keeps its algorithm), so a move from HS256 logs no one out.
    Production refuses to start without a key; development generates one beside the secret key
    file, with mode 0600.
    """
    retired_secrets = [hmac_key(key) for key in previous_secret_keys(settings)]
    if settings.jwt_algorithm == "HS256":
        return SigningKeys(hmac_key(resolve_secret_key(settings)), retired_secrets)
    current = _current_ec_key(settings)
    retired = [_key_from_file(path, "ROOMKEY_PREVIOUS_SIGNING_KEY_FILES")
               for path in settings.previous_signing_key_files]
    return SigningKeys(current, [*retired_secrets, *retired])


def _current_ec_key(settings: Settings) -> SigningKey:
    if settings.signing_key_file is not None:
        key = _key_from_file(settings.signing_key_file, "ROOMKEY_SIGNING_KEY_FILE")
        if key.signing is None:
            raise ConfigurationError(
                f"ROOMKEY_SIGNING_KEY_FILE: {settings.signing_key_file} holds a public key; "
                "the current key must be the private one")
        return key
    if settings.is_production:
        raise ConfigurationError(
            "ROOMKEY_SIGNING_KEY_FILE is not set. With ROOMKEY_JWT_ALGORITHM=ES256 Roomkey will "
            "not start in production without a P-256 private key (PEM); make one with "
            "`openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem`")
    return _development_key(settings.secret_key_file.parent / DEVELOPMENT_SIGNING_KEY_NAME)


def _key_from_file(path: Path, variable: str) -> SigningKey:
    try:
        return load_pem_key(path.read_bytes())
    except OSError as error:
        raise ConfigurationError(f"{variable}: cannot read {path} ({error.strerror})") from None
    except (ValueError, TypeError) as error:
        raise ConfigurationError(
            f"{variable}: {path} is not a P-256 key in PEM ({error})") from None


def _development_key(path: Path) -> SigningKey:
    pem = kept_in_file(path, lambda: new_ec_private_key_pem().decode(), what="ES256 key",
                       setting="ROOMKEY_SIGNING_KEY_FILE")
    try:
        return load_pem_key(pem.encode())
    except (ValueError, TypeError) as error:
        raise ConfigurationError(
            f"ROOMKEY_SIGNING_KEY_FILE: {path} is not a P-256 key in PEM ({error})") from None
