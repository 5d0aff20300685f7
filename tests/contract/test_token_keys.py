"""Signing keys: ES256 kids, the published key set, one algorithm per key, keys from settings."""

import base64
import hashlib
import stat
from itertools import product
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from application.errors import NotAuthenticated
from infrastructure.settings import ConfigurationError, Settings
from infrastructure.signing_keys import generate_key
from infrastructure.token_signing_keys import DEVELOPMENT_SIGNING_KEY_NAME, resolve_signing_keys
from infrastructure.tokens.claims import check_header
from infrastructure.tokens.keys import SigningKeys, ec_key, hmac_key, load_pem_key
from tests.command.running import run
from tests.contract.token_helpers import (
    CODECS,
    EC_KEY,
    KEYS,
    OLD_EC_KEY,
    SECRET,
    forge,
    issue,
    make_codec,
    valid_claims,
)
from tests.fakes import FakeClock
from tests.production import PRODUCTION_ESSENTIALS

PAIRS = list(product(CODECS, CODECS))
PAIR_IDS = [f"{issuer}-to-{decoder}" for issuer, decoder in PAIRS]


def _pem(key: Any, *, private_format: Any = serialization.PrivateFormat.PKCS8) -> bytes:
    if isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        return key.private_bytes(serialization.Encoding.PEM, private_format,
                                 serialization.NoEncryption())
    return bytes(key.public_bytes(serialization.Encoding.PEM,
                                  serialization.PublicFormat.SubjectPublicKeyInfo))


def _b64url(number: int) -> str:
    return base64.urlsafe_b64encode(number.to_bytes(32, "big")).rstrip(b"=").decode()


# -- kids and the published key set --------------------------------------------------------


def test_an_ec_kid_is_the_rfc_7638_thumbprint_of_its_public_key() -> None:
    numbers = EC_KEY.public_key().public_numbers()
    # RFC 7638 §3.2: the required members in lexicographic order, no whitespace.
    canonical = (f'{{"crv":"P-256","kty":"EC","x":"{_b64url(numbers.x)}",'
                 f'"y":"{_b64url(numbers.y)}"}}')
    expected = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest())
    assert ec_key(EC_KEY).kid == expected.rstrip(b"=").decode()
    assert ec_key(EC_KEY.public_key()).kid == ec_key(EC_KEY).kid != ec_key(OLD_EC_KEY).kid


def test_the_key_set_publishes_public_ec_keys_current_first_and_never_a_secret() -> None:
    keys = SigningKeys(ec_key(EC_KEY), [hmac_key(SECRET), ec_key(OLD_EC_KEY.public_key())])
    published = keys.jwks()["keys"]
    assert [jwk["kid"] for jwk in published] == [ec_key(EC_KEY).kid, ec_key(OLD_EC_KEY).kid]
    for jwk in published:
        assert set(jwk) == {"kty", "crv", "x", "y", "kid", "alg", "use"}
        assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("EC", "P-256", "ES256", "sig")
    assert SigningKeys(hmac_key(SECRET), [hmac_key("another secret of 32 bytes or more")]
                       ).jwks() == {"keys": []}


@pytest.mark.parametrize("kind", CODECS)
def test_a_verifier_holding_only_the_published_keys_accepts_a_token(kind: str) -> None:
    clock = FakeClock()
    codec = make_codec(kind, clock, algorithm="ES256", previous=[KEYS["ES256"][1]])
    old_token = issue(make_codec(kind, clock, current=KEYS["ES256"][1])).value
    jwks = pyjwt.PyJWKSet.from_dict(codec.keys.jwks())
    for token in (issue(codec).value, old_token):
        kid = pyjwt.get_unverified_header(token)["kid"]
        claims = pyjwt.decode(token, jwks[kid].key, algorithms=["ES256"], audience="roomkey",
                              issuer="roomkey", options={"verify_exp": False,
                                                         "verify_iat": False})
        assert claims["sub"] == "user-1"


# -- one algorithm per key -----------------------------------------------------------------


@pytest.mark.parametrize(("issuer", "decoder"), PAIRS, ids=PAIR_IDS)
def test_an_es256_deployment_still_verifies_hs256_tokens_of_a_retired_secret(
    issuer: str, decoder: str
) -> None:
    clock = FakeClock()
    before = make_codec(issuer, clock, algorithm="HS256")
    after = make_codec(decoder, clock, algorithm="ES256", previous=[KEYS["HS256"][0]])
    assert after.decode(issue(before).value).subject == "user-1"


@pytest.mark.parametrize("kind", CODECS)
@pytest.mark.parametrize(
    "attempt",
    ["hs256-naming-the-ec-key-signed-with-the-secret",
     "hs256-naming-the-ec-key-signed-with-its-public-pem",
     "hs256-naming-the-ec-key-signed-with-its-public-der",
     "es256-naming-the-hmac-key"],
)
def test_no_token_can_make_a_key_verify_by_another_algorithm(kind: str, attempt: str) -> None:
    clock = FakeClock()
    ec_signing, hmac_signing = KEYS["ES256"][0], KEYS["HS256"][0]
    codec = make_codec(kind, clock, algorithm="ES256", previous=[hmac_signing])
    public = EC_KEY.public_key()
    claims = valid_claims(clock.now())
    secrets = {
        "hs256-naming-the-ec-key-signed-with-the-secret": SECRET.encode(),
        "hs256-naming-the-ec-key-signed-with-its-public-pem": _pem(public),
        "hs256-naming-the-ec-key-signed-with-its-public-der": public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo),
    }
    if attempt in secrets:
        token = forge({"alg": "HS256", "kid": ec_signing.kid}, claims, key=ec_signing,
                      hmac_secret=secrets[attempt])
    else:
        token = forge({"alg": "ES256", "kid": hmac_signing.kid}, claims, key=ec_signing)
    with pytest.raises(NotAuthenticated):
        codec.decode(token)


# -- keys from PEM -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pem",
    [_pem(EC_KEY), _pem(EC_KEY, private_format=serialization.PrivateFormat.TraditionalOpenSSL),
     _pem(EC_KEY.public_key())],
    ids=["pkcs8", "sec1", "public"],
)
def test_a_p256_key_loads_from_pem_under_its_thumbprint(pem: bytes) -> None:
    key = load_pem_key(pem)
    assert (key.kid, key.algorithm) == (ec_key(EC_KEY).kid, "ES256")
    assert (key.signing is None) == (b"PUBLIC" in pem)


@pytest.mark.parametrize(
    "pem",
    [_pem(ec.generate_private_key(ec.SECP384R1())),
     _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048)),
     b"-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n", b""],
    ids=["p384", "rsa", "garbage", "empty"],
)
def test_anything_but_a_p256_key_is_refused(pem: bytes) -> None:
    with pytest.raises(ValueError):
        load_pem_key(pem)


def test_a_retired_public_key_verifies_but_cannot_be_the_signing_key() -> None:
    with pytest.raises(ValueError):
        SigningKeys(ec_key(EC_KEY.public_key()))


# -- keys from the settings ----------------------------------------------------------------


def _settings(tmp_path: Path, **values: Any) -> Settings:
    return Settings(secret_key_file=tmp_path / ".roomkey-secret", jwt_algorithm="ES256",
                    **values)


def test_development_generates_a_private_key_beside_the_secret_and_keeps_it(
    tmp_path: Path,
) -> None:
    first = resolve_signing_keys(_settings(tmp_path))
    path = tmp_path / DEVELOPMENT_SIGNING_KEY_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_pem_key(path.read_bytes()).kid == first.current.kid
    assert resolve_signing_keys(_settings(tmp_path)).current.kid == first.current.kid


def test_the_configured_key_signs_and_the_previous_files_verify(tmp_path: Path) -> None:
    (tmp_path / "current.pem").write_bytes(_pem(EC_KEY))
    (tmp_path / "old.pem").write_bytes(_pem(OLD_EC_KEY.public_key()))
    settings = Settings.model_validate(
        {"jwt_algorithm": "ES256", "signing_key_file": tmp_path / "current.pem",
         "previous_signing_key_files": f"{tmp_path / 'old.pem'}, "})
    keys = resolve_signing_keys(settings)
    assert keys.current.kid == ec_key(EC_KEY).kid
    assert keys.named(ec_key(OLD_EC_KEY).kid) is not None
    assert not (tmp_path / DEVELOPMENT_SIGNING_KEY_NAME).exists()


@pytest.mark.parametrize(
    ("values", "named"),
    [({"env": "production"}, "ROOMKEY_SIGNING_KEY_FILE is not set"),
     ({"signing_key_file": "missing.pem"}, "ROOMKEY_SIGNING_KEY_FILE: cannot read"),
     ({"signing_key_file": "public.pem"}, "holds a public key"),
     ({"signing_key_file": "garbage.pem"}, "is not a P-256 key"),
     ({"signing_key_file": "current.pem", "previous_signing_key_files": ["garbage.pem"]},
      "ROOMKEY_PREVIOUS_SIGNING_KEY_FILES: ")],
    ids=["production-without-key", "missing", "public-as-current", "garbage", "bad-previous"],
)
def test_a_bad_key_setting_is_one_line_naming_its_variable(
    tmp_path: Path, values: dict[str, Any], named: str,
) -> None:
    (tmp_path / "current.pem").write_bytes(_pem(EC_KEY))
    (tmp_path / "public.pem").write_bytes(_pem(EC_KEY.public_key()))
    (tmp_path / "garbage.pem").write_bytes(b"not a key")
    for name in ("signing_key_file",):
        if name in values:
            values = {**values, name: tmp_path / values[name]}
    values = {**values, "previous_signing_key_files": [
        tmp_path / path for path in values.get("previous_signing_key_files", [])]}
    with pytest.raises(ConfigurationError, match=named) as raised:
        resolve_signing_keys(_settings(tmp_path, secret_key=SECRET, **values))
    assert "\n" not in str(raised.value)


def test_hs256_reads_no_key_file(tmp_path: Path) -> None:
    keys = resolve_signing_keys(Settings(secret_key=SECRET, jwt_algorithm="HS256",
                                         signing_key_file=tmp_path / "absent.pem"))
    assert keys.current.algorithm == "HS256" and keys.jwks() == {"keys": []}


def test_es256_in_production_needs_the_key_file_but_no_secret(tmp_path: Path) -> None:
    (tmp_path / "current.pem").write_bytes(_pem(EC_KEY))
    keys = resolve_signing_keys(Settings(env="production", jwt_algorithm="ES256",
                                         signing_key_file=tmp_path / "current.pem"))
    assert keys.current.kid == ec_key(EC_KEY).kid


def test_the_command_line_refuses_es256_in_production_without_a_key_in_one_line(
    tmp_path: Path,
) -> None:
    result = run("migrate", cwd=tmp_path, env="production", jwt_algorithm="ES256",
                 secret_key=generate_key(), database_url=f"sqlite+aiosqlite:///{tmp_path / 'r.db'}",
                 **PRODUCTION_ESSENTIALS)

    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "ROOMKEY_SIGNING_KEY_FILE" in result.stderr
    assert not (tmp_path / "r.db").exists()


@pytest.mark.parametrize("named", ["ES256", "HS256"])
def test_the_header_check_gives_a_key_only_for_its_own_algorithm(named: str) -> None:
    """The codecs' first line; each library's `algorithms=[...]` is the second."""
    keys = SigningKeys(KEYS["ES256"][0], [KEYS["HS256"][0]])
    key = KEYS[named][0]
    assert check_header({"alg": key.algorithm, "kid": key.kid}, keys) is keys.named(key.kid)
    for alg in {"ES256", "HS256", "none", "RS256"} - {key.algorithm}:
        with pytest.raises(NotAuthenticated):
            check_header({"alg": alg, "kid": key.kid}, keys)
