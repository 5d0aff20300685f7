"""One contract for both TokenCodec adapters: python-jose and PyJWT issue and refuse alike."""

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import product
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import given, settings
from hypothesis import strategies as st
from jose import jwt as jose_jwt

from application.errors import NotAuthenticated
from application.ports import AccessClaims, AccessToken
from infrastructure.tokens import JoseTokenCodec, PyJwtTokenCodec
from infrastructure.tokens.hs256 import Hs256TokenCodec, key_id
from tests.fakes import FakeClock

SECRET = "a test secret that is long enough for HS256"
OLD_SECRET = "the secret that signed until the last rotation"
OLDER_SECRET = "the secret that signed before that, also long"
KID = key_id(SECRET)
CODECS: dict[str, type[Hs256TokenCodec]] = {"jose": JoseTokenCodec, "pyjwt": PyJwtTokenCodec}
REQUIRED_CLAIMS = ["sub", "sid", "exp", "iat", "jti", "iss", "aud", "type"]
LIFETIME = timedelta(minutes=15)
LEEWAY = timedelta(seconds=30)
Signer = Callable[[dict[str, Any]], str]
SIGNERS: dict[str, Signer] = {
    "jose": lambda claims: jose_jwt.encode(claims, SECRET, algorithm="HS256",
                                           headers={"kid": KID}),
    "pyjwt": lambda claims: pyjwt.encode(claims, SECRET, algorithm="HS256",
                                         headers={"kid": KID}),
}


def make_codec(kind: str, clock: FakeClock, **options: Any) -> Hs256TokenCodec:
    return CODECS[kind](secret_key=options.pop("secret_key", SECRET), clock=clock, **options)


def issue(codec: Hs256TokenCodec) -> AccessToken:
    return codec.issue(subject="user-1", session_id="session-1")


def valid_claims(now: datetime, **changes: Any) -> dict[str, Any]:
    issued_at = int(now.timestamp())
    claims = {"sub": "user-1", "sid": "session-1", "exp": issued_at + 900, "iat": issued_at,
              "jti": "token-1", "iss": "roomkey", "aud": "roomkey", "type": "access"}
    return {**claims, **changes}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(
    header: dict[str, Any], claims: dict[str, Any], digest: Any = hashlib.sha256, *,
    key: str = SECRET, name_the_key: bool = True,
) -> str:
    """Sign by hand, so any header or algorithm can be tried.

    The header names the signing key in `kid` unless it sets its own or `name_the_key` is False.
    """
    if name_the_key:
        header = {"kid": key_id(key), **header}
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    signature = hmac.new(key.encode(), signing_input.encode(), digest).digest()
    return f"{signing_input}.{b64url(signature)}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=CODECS)
def codec(request: pytest.FixtureRequest, clock: FakeClock) -> Hs256TokenCodec:
    return make_codec(request.param, clock)


@pytest.fixture(params=list(product(CODECS, CODECS)), ids="{0[0]}-to-{0[1]}".format)
def kinds(request: pytest.FixtureRequest) -> tuple[str, str]:
    """Which library issues the token and which decodes it: all four pairs."""
    issuer, decoder = request.param
    return issuer, decoder


@pytest.fixture
def pair(kinds: tuple[str, str], clock: FakeClock) -> tuple[Hs256TokenCodec, Hs256TokenCodec]:
    return make_codec(kinds[0], clock), make_codec(kinds[1], clock)


@pytest.fixture(scope="module")
def foreign_keys() -> dict[str, Any]:
    return {"RS256": rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "ES256": ec.generate_private_key(ec.SECP256R1())}


def assert_verdict(codec: Hs256TokenCodec, token: str, accepted: bool) -> None:
    if accepted:
        claims = codec.decode(token)
        assert (claims.subject, claims.session_id) == ("user-1", "session-1")
    else:
        with pytest.raises(NotAuthenticated):
            codec.decode(token)


# -- issuing and round trips --------------------------------------------------------------


def test_a_token_round_trips_to_its_subject_id_and_times(
    pair: tuple[Hs256TokenCodec, Hs256TokenCodec], clock: FakeClock
) -> None:
    issuer, decoder = pair
    token = issue(issuer)
    assert token.expires_at == clock.now() + LIFETIME
    assert token.lifetime_seconds == 900
    assert decoder.decode(token.value) == AccessClaims(
        subject="user-1", session_id="session-1", token_id=token.token_id, issued_at=clock.now(),
        expires_at=token.expires_at,
    )


def test_each_token_gets_a_fresh_random_id(codec: Hs256TokenCodec) -> None:
    ids = {issue(codec).token_id for _ in range(20)}
    assert len(ids) == 20
    assert all(len(token_id) >= 20 for token_id in ids)


def test_the_token_carries_exactly_the_agreed_claims(
    codec: Hs256TokenCodec, clock: FakeClock
) -> None:
    token = issue(codec)
    claims = pyjwt.decode(token.value, options={"verify_signature": False})
    assert pyjwt.get_unverified_header(token.value) == {"alg": "HS256", "typ": "JWT", "kid": KID}
    assert claims == valid_claims(clock.now(), jti=token.token_id)


def test_a_hand_made_token_with_the_right_key_is_accepted(
    codec: Hs256TokenCodec, clock: FakeClock
) -> None:
    # The rejections below are only meaningful if the hand-made tokens are otherwise valid.
    assert codec.decode(forge({"alg": "HS256", "typ": "JWT"}, valid_claims(clock.now())))
    for sign in SIGNERS.values():
        assert codec.decode(sign(valid_claims(clock.now())))


def test_the_times_come_from_the_injected_clock_not_the_wall_clock(
    pair: tuple[Hs256TokenCodec, Hs256TokenCodec], clock: FakeClock
) -> None:
    issuer, decoder = pair
    for moment in (datetime(2001, 1, 1, tzinfo=UTC), datetime(2090, 1, 1, tzinfo=UTC)):
        clock.set(moment)
        assert decoder.decode(issue(issuer).value).issued_at == moment


# -- time ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("elapsed", "accepted"),
    [(LIFETIME, True), (LIFETIME + LEEWAY - timedelta(seconds=1), True),
     (LIFETIME + LEEWAY, False), (LIFETIME + LEEWAY + timedelta(seconds=1), False),
     (timedelta(days=365), False)],
    ids=["at-exp", "within-leeway", "at-leeway", "beyond-leeway", "a-year-later"],
)
def test_a_token_expires_after_its_lifetime_and_the_leeway(
    pair: tuple[Hs256TokenCodec, Hs256TokenCodec], clock: FakeClock,
    elapsed: timedelta, accepted: bool,
) -> None:
    issuer, decoder = pair
    token = issue(issuer).value
    clock.advance(elapsed)
    assert_verdict(decoder, token, accepted)


@pytest.mark.parametrize(
    ("skew", "accepted"),
    [(LEEWAY - timedelta(seconds=1), True), (LEEWAY + timedelta(seconds=1), False)],
    ids=["within-leeway", "beyond-leeway"],
)
def test_a_token_issued_in_the_future_is_accepted_only_within_the_leeway(
    pair: tuple[Hs256TokenCodec, Hs256TokenCodec], clock: FakeClock,
    skew: timedelta, accepted: bool,
) -> None:
    issuer, decoder = pair
    token = issue(issuer).value
    clock.advance(-skew)
    assert_verdict(decoder, token, accepted)


@pytest.mark.parametrize("kind", CODECS)
def test_the_configured_lifetime_and_leeway_are_honoured(kind: str, clock: FakeClock) -> None:
    codec = make_codec(kind, clock, lifetime=timedelta(minutes=5), leeway=timedelta(0))
    token = issue(codec)
    assert token.lifetime_seconds == 300
    clock.advance(timedelta(minutes=5) - timedelta(seconds=1))
    assert_verdict(codec, token.value, accepted=True)
    clock.advance(timedelta(seconds=1))
    assert_verdict(codec, token.value, accepted=False)


@pytest.mark.parametrize(("offset", "accepted"), [(29, True), (31, False)])
def test_a_not_before_claim_is_checked_with_the_leeway(
    codec: Hs256TokenCodec, clock: FakeClock, offset: int, accepted: bool
) -> None:
    not_before = int(clock.now().timestamp()) + offset
    assert_verdict(codec, forge({"alg": "HS256"}, valid_claims(clock.now(), nbf=not_before)),
                   accepted)


# -- claims --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "option",
    [{"secret_key": "another secret, just as long as the first"}, {"issuer": "someone-else"},
     {"audience": "another-service"}],
    ids=["secret", "issuer", "audience"],
)
def test_a_token_from_another_configuration_is_rejected(
    kinds: tuple[str, str], clock: FakeClock, option: dict[str, str],
) -> None:
    stranger, decoder = make_codec(kinds[0], clock, **option), make_codec(kinds[1], clock)
    with pytest.raises(NotAuthenticated):
        decoder.decode(issue(stranger).value)


@pytest.mark.parametrize("signer", SIGNERS)
@pytest.mark.parametrize("missing", REQUIRED_CLAIMS)
def test_a_token_missing_any_claim_is_rejected(
    codec: Hs256TokenCodec, clock: FakeClock, signer: str, missing: str
) -> None:
    claims = valid_claims(clock.now())
    del claims[missing]
    with pytest.raises(NotAuthenticated):
        codec.decode(SIGNERS[signer](claims))


@pytest.mark.parametrize(
    ("claim", "value"),
    [("type", "refresh"), ("type", "ACCESS"), ("iss", "someone-else"), ("iss", ["roomkey"]),
     ("aud", "another-service"), ("aud", ["roomkey"]), ("sub", ""), ("sub", 42),
     ("sub", None), ("sid", ""), ("sid", 42), ("sid", None), ("sid", ["session-1"]),
     ("jti", ""), ("jti", 7), ("exp", "1893456000"), ("exp", 1.9e9),
     ("exp", True), ("exp", 10**20), ("iat", -1), ("iat", 1.5), ("iat", None),
     ("nbf", "now"), ("nbf", False)],
    ids=repr,
)
def test_a_token_with_a_wrong_or_ill_typed_claim_is_rejected(
    codec: Hs256TokenCodec, clock: FakeClock, claim: str, value: object
) -> None:
    with pytest.raises(NotAuthenticated):
        codec.decode(forge({"alg": "HS256"}, valid_claims(clock.now(), **{claim: value})))


# -- headers and algorithms ---------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "HS384", "HS512", "hs256", ""])
@pytest.mark.parametrize("with_signature", [True, False], ids=["hmac-signed", "unsigned"])
def test_any_algorithm_but_hs256_is_rejected(
    codec: Hs256TokenCodec, clock: FakeClock, alg: str, with_signature: bool
) -> None:
    digest = {"HS384": hashlib.sha384, "HS512": hashlib.sha512}.get(alg, hashlib.sha256)
    token = forge({"alg": alg, "typ": "JWT"}, valid_claims(clock.now()), digest)
    if not with_signature:
        token = token.rsplit(".", 1)[0] + "."
    with pytest.raises(NotAuthenticated):
        codec.decode(token)


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_a_token_signed_with_a_public_key_algorithm_is_rejected(
    codec: Hs256TokenCodec, clock: FakeClock, foreign_keys: dict[str, Any], alg: str
) -> None:
    token = pyjwt.encode(valid_claims(clock.now()), foreign_keys[alg], algorithm=alg,
                         headers={"kid": KID})
    with pytest.raises(NotAuthenticated):
        codec.decode(token)


@pytest.mark.parametrize(
    ("name", "value"),
    [("crit", ["exp"]), ("jwk", {"kty": "oct", "k": b64url(SECRET.encode())}),
     ("jku", "https://attacker.example/jwks.json"), ("x5u", "https://attacker.example/c.pem"),
     ("x5c", ["MIIBszCCAVmgAwIBAgIU"]), ("b64", False)],
    ids=["crit", "jwk", "jku", "x5u", "x5c", "b64"],
)
def test_a_correctly_signed_token_with_a_refused_header_is_rejected(
    codec: Hs256TokenCodec, clock: FakeClock, name: str, value: object
) -> None:
    token = forge({"alg": "HS256", "typ": "JWT", name: value}, valid_claims(clock.now()))
    with pytest.raises(NotAuthenticated):
        codec.decode(token)


# -- signing keys and rotation ------------------------------------------------------------


def test_the_kid_names_the_current_key_by_a_stable_digest(codec: Hs256TokenCodec) -> None:
    kid = pyjwt.get_unverified_header(issue(codec).value)["kid"]
    assert kid == KID == key_id(SECRET)
    assert key_id(SECRET) != key_id(OLD_SECRET)
    assert SECRET not in kid and len(kid) == 12


@pytest.mark.parametrize("kind", CODECS)
def test_only_the_current_key_signs_after_a_rotation(kind: str, clock: FakeClock) -> None:
    codec = make_codec(kind, clock, previous_keys=[OLD_SECRET])
    assert pyjwt.get_unverified_header(issue(codec).value)["kid"] == KID


def test_a_token_of_a_previous_key_verifies_while_that_key_is_listed(
    kinds: tuple[str, str], clock: FakeClock
) -> None:
    before = make_codec(kinds[0], clock, secret_key=OLD_SECRET)
    after = make_codec(kinds[1], clock, previous_keys=[OLDER_SECRET, OLD_SECRET])
    token = issue(before).value

    assert_verdict(after, token, accepted=True)
    assert_verdict(make_codec(kinds[1], clock, previous_keys=[OLDER_SECRET]), token, False)
    assert_verdict(make_codec(kinds[1], clock), token, accepted=False)


def test_a_codec_that_has_not_rotated_yet_rejects_tokens_of_the_new_key(
    kinds: tuple[str, str], clock: FakeClock
) -> None:
    rotated = make_codec(kinds[0], clock, previous_keys=[OLD_SECRET])
    not_yet = make_codec(kinds[1], clock, secret_key=OLD_SECRET)
    assert_verdict(not_yet, issue(rotated).value, accepted=False)


@pytest.mark.parametrize(
    "kid",
    [key_id("a key nobody here has ever configured, 32+"), "", "nope", None, 42, True,
     [KID], {"kid": KID}, KID.upper(), KID + "="],
    ids=repr,
)
def test_a_token_naming_an_unknown_key_is_rejected_though_signed_right(
    codec: Hs256TokenCodec, clock: FakeClock, kid: object
) -> None:
    token = forge({"alg": "HS256", "typ": "JWT", "kid": kid}, valid_claims(clock.now()))
    with pytest.raises(NotAuthenticated):
        codec.decode(token)


@pytest.mark.parametrize("kind", CODECS)
def test_a_token_naming_no_key_is_rejected_though_signed_right(
    kind: str, clock: FakeClock
) -> None:
    codec = make_codec(kind, clock, previous_keys=[OLD_SECRET])
    for key in (SECRET, OLD_SECRET):
        token = forge({"alg": "HS256", "typ": "JWT"}, valid_claims(clock.now()), key=key,
                      name_the_key=False)
        with pytest.raises(NotAuthenticated):
            codec.decode(token)


@pytest.mark.parametrize("kind", CODECS)
@pytest.mark.parametrize(("named", "signed_with"), [(OLD_SECRET, SECRET), (SECRET, OLD_SECRET)],
                         ids=["names-old-signed-by-current", "names-current-signed-by-old"])
def test_the_kid_only_chooses_the_key_the_signature_must_still_match(
    kind: str, clock: FakeClock, named: str, signed_with: str
) -> None:
    codec = make_codec(kind, clock, previous_keys=[OLD_SECRET])
    token = forge({"alg": "HS256", "typ": "JWT", "kid": key_id(named)},
                  valid_claims(clock.now()), key=signed_with)
    with pytest.raises(NotAuthenticated):
        codec.decode(token)


# -- properties ----------------------------------------------------------------------------

# The token's own alphabet, then characters lenient decoders skip or accept.
TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ~"
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)


@pytest.mark.parametrize("kind", CODECS)
@settings(max_examples=200, deadline=None)
@given(where=st.integers(0, 10_000), shift=st.integers(1, len(TOKEN_CHARS) - 1))
def test_any_tampering_with_a_token_is_rejected(kind: str, where: int, shift: int) -> None:
    codec = make_codec(kind, FakeClock())
    token = issue(codec).value
    # Drawn independently of the (random) token, so that Hypothesis can replay an example.
    position = where % len(token)
    replacement = TOKEN_CHARS[(TOKEN_CHARS.index(token[position]) + shift) % len(TOKEN_CHARS)]
    tampered = token[:position] + replacement + token[position + 1 :]
    if position < len(token) - 1:
        with pytest.raises(NotAuthenticated):
            codec.decode(tampered)
        return
    # The last character of a 32-byte signature carries two unused bits, which base64
    # decoders ignore: three other spellings of it decode to the same signature.
    try:
        claims = codec.decode(tampered)
    except NotAuthenticated:
        return
    assert claims == codec.decode(token)


@pytest.mark.parametrize(
    "respell",
    [lambda sig: sig.replace("-", "+"), lambda sig: sig.replace("_", "/"),
     lambda sig: sig + "=", lambda sig: sig + "==", lambda sig: f"{sig[:4]}\n{sig[4:]}"],
    ids=["plus-for-dash", "slash-for-underscore", "padding", "double-padding", "newline"],
)
def test_another_base64_spelling_of_the_signature_is_rejected(
    codec: Hs256TokenCodec, respell: Callable[[str], str]
) -> None:
    # python-jose's lenient base64 accepts these where PyJWT does not; both must refuse.
    token = next(value for value in (issue(codec).value for _ in range(500))
                 if {"-", "_"} <= set(value.rsplit(".", 1)[1]))
    signing_input, signature = token.rsplit(".", 1)
    with pytest.raises(NotAuthenticated):
        codec.decode(f"{signing_input}.{respell(signature)}")


@pytest.mark.parametrize("kind", CODECS)
@settings(max_examples=150, deadline=None)
@given(garbage=st.text() | st.from_regex(r"\A[\w-]*\.[\w-]*\.[\w-]*\Z"))
def test_garbage_is_not_authenticated_and_raises_nothing_else(kind: str, garbage: str) -> None:
    with pytest.raises(NotAuthenticated):
        make_codec(kind, FakeClock()).decode(garbage)


@pytest.mark.parametrize("kind", CODECS)
@settings(max_examples=150, deadline=None)
@given(
    header=st.dictionaries(st.text(max_size=4) | st.sampled_from(["alg", "typ", "kid", "crit"]),
                           json_values, max_size=3),
    changes=st.dictionaries(st.sampled_from([*REQUIRED_CLAIMS, "nbf", "extra"]), json_values,
                            max_size=3),
)
def test_any_correctly_signed_odd_token_is_decoded_or_not_authenticated(
    kind: str, header: dict[str, Any], changes: dict[str, Any]
) -> None:
    clock = FakeClock()
    token = forge({"alg": "HS256", **header}, valid_claims(clock.now(), **changes))
    try:
        claims = make_codec(kind, clock).decode(token)
    except NotAuthenticated:
        return
    assert claims.subject and claims.session_id and claims.token_id
    assert claims.issued_at <= clock.now() + LEEWAY
    assert claims.expires_at > clock.now() - LEEWAY


# -- construction --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", CODECS)
@pytest.mark.parametrize(
    "option",
    [{"secret_key": "too short"}, {"lifetime": timedelta(0)}, {"leeway": timedelta(seconds=-1)}],
    ids=["short-secret", "no-lifetime", "negative-leeway"],
)
def test_an_unsafe_configuration_is_refused(
    kind: str, clock: FakeClock, option: dict[str, Any]
) -> None:
    with pytest.raises(ValueError):
        make_codec(kind, clock, **option)


@pytest.mark.parametrize("kind", CODECS)
@pytest.mark.parametrize("previous_keys", [["too short"], [OLD_SECRET, "x" * 31], [""]],
                         ids=["short", "one-of-two-short", "empty"])
def test_a_short_previous_key_is_refused(
    kind: str, clock: FakeClock, previous_keys: list[str]
) -> None:
    with pytest.raises(ValueError):
        make_codec(kind, clock, previous_keys=previous_keys)


@pytest.mark.parametrize("kind", CODECS)
def test_a_previous_key_of_exactly_32_bytes_is_accepted(kind: str, clock: FakeClock) -> None:
    old = "k" * 32
    token = forge({"alg": "HS256", "typ": "JWT"}, valid_claims(clock.now()), key=old)
    assert_verdict(make_codec(kind, clock, previous_keys=[old]), token, accepted=True)


@pytest.mark.parametrize("kind", CODECS)
def test_a_token_verified_once_is_still_checked_on_every_decode(
    kind: str, clock: FakeClock
) -> None:
    codec = make_codec(kind, clock)
    token = issue(codec).value
    assert_verdict(codec, token, accepted=True)  # its signature is now remembered

    clock.advance(LIFETIME + LEEWAY)

    assert_verdict(codec, token, accepted=False)
    assert_verdict(make_codec(kind, clock, secret_key="another-key-of-at-least-32-bytes!!"),
                   token, accepted=False)
