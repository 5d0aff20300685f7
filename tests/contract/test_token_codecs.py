"""One contract for both TokenCodec adapters: python-jose and PyJWT issue and refuse alike,
with an HMAC secret (HS256) and with a P-256 key (ES256)."""

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import product
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from application.errors import NotAuthenticated
from application.ports import AccessClaims
from infrastructure.tokens import JwtTokenCodec
from infrastructure.tokens.keys import SigningKey, hmac_key, key_id
from tests.contract.token_helpers import (
    ALGORITHMS,
    CODECS,
    KEYS,
    OLD_SECRET,
    SECRET,
    SIGNERS,
    b64url,
    forge,
    issue,
    make_codec,
    valid_claims,
)
from tests.fakes import FakeClock

KID = key_id(SECRET)
REQUIRED_CLAIMS = ["sub", "sid", "exp", "iat", "jti", "iss", "aud", "type"]
LIFETIME = timedelta(minutes=15)
LEEWAY = timedelta(seconds=30)


def _hmac_secret_of(key: SigningKey) -> bytes:
    if isinstance(key.verifying, ec.EllipticCurvePublicKey):
        return key.verifying.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    return key.verifying.encode()


def own_header(codec: JwtTokenCodec, **extra: Any) -> dict[str, Any]:
    return {"alg": codec.keys.current.algorithm, **extra}


def forge_for(codec: JwtTokenCodec, claims: dict[str, Any], **header: Any) -> str:
    """A token signed by hand with the codec's current key, by that key's algorithm."""
    return forge(own_header(codec, **header), claims, key=codec.keys.current)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=list(product(CODECS, ALGORITHMS)), ids="{0[0]}-{0[1]}".format)
def codec(request: pytest.FixtureRequest, clock: FakeClock) -> JwtTokenCodec:
    kind, algorithm = request.param
    return make_codec(kind, clock, algorithm=algorithm)


@pytest.fixture(params=ALGORITHMS)
def algorithm(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=list(product(CODECS, CODECS)), ids="{0[0]}-to-{0[1]}".format)
def kinds(request: pytest.FixtureRequest) -> tuple[str, str]:
    """Which library issues the token and which decodes it: all four pairs."""
    issuer, decoder = request.param
    return issuer, decoder


@pytest.fixture
def pair(
    kinds: tuple[str, str], algorithm: str, clock: FakeClock
) -> tuple[JwtTokenCodec, JwtTokenCodec]:
    return (make_codec(kinds[0], clock, algorithm=algorithm),
            make_codec(kinds[1], clock, algorithm=algorithm))


@pytest.fixture(scope="module")
def foreign_keys() -> dict[str, Any]:
    return {"RS256": rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "ES256": ec.generate_private_key(ec.SECP256R1())}


def assert_verdict(codec: JwtTokenCodec, token: str, accepted: bool) -> None:
    if accepted:
        claims = codec.decode(token)
        assert (claims.subject, claims.session_id) == ("user-1", "session-1")
    else:
        with pytest.raises(NotAuthenticated):
            codec.decode(token)


# -- issuing and round trips --------------------------------------------------------------


def test_a_token_round_trips_to_its_subject_id_and_times(
    pair: tuple[JwtTokenCodec, JwtTokenCodec], clock: FakeClock
) -> None:
    issuer, decoder = pair
    token = issue(issuer)
    assert token.expires_at == clock.now() + LIFETIME
    assert token.lifetime_seconds == 900
    assert decoder.decode(token.value) == AccessClaims(
        subject="user-1", session_id="session-1", token_id=token.token_id, issued_at=clock.now(),
        expires_at=token.expires_at,
    )


def test_each_token_gets_a_fresh_random_id(codec: JwtTokenCodec) -> None:
    ids = {issue(codec).token_id for _ in range(20)}
    assert len(ids) == 20
    assert all(len(token_id) >= 20 for token_id in ids)


def test_the_token_carries_exactly_the_agreed_claims(
    codec: JwtTokenCodec, clock: FakeClock
) -> None:
    token = issue(codec)
    claims = pyjwt.decode(token.value, options={"verify_signature": False})
    current = codec.keys.current
    assert pyjwt.get_unverified_header(token.value) == {"alg": current.algorithm, "typ": "JWT",
                                                        "kid": current.kid}
    assert claims == valid_claims(clock.now(), jti=token.token_id)


def test_a_hand_made_token_with_the_right_key_is_accepted(
    codec: JwtTokenCodec, clock: FakeClock
) -> None:
    # The rejections below are only meaningful if the hand-made tokens are otherwise valid.
    assert codec.decode(forge_for(codec, valid_claims(clock.now()), typ="JWT"))
    for sign in SIGNERS.values():
        assert codec.decode(sign(valid_claims(clock.now()), codec.keys.current))


def test_the_times_come_from_the_injected_clock_not_the_wall_clock(
    pair: tuple[JwtTokenCodec, JwtTokenCodec], clock: FakeClock
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
    pair: tuple[JwtTokenCodec, JwtTokenCodec], clock: FakeClock,
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
    pair: tuple[JwtTokenCodec, JwtTokenCodec], clock: FakeClock,
    skew: timedelta, accepted: bool,
) -> None:
    issuer, decoder = pair
    token = issue(issuer).value
    clock.advance(-skew)
    assert_verdict(decoder, token, accepted)


@pytest.mark.parametrize("kind", CODECS)
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_the_configured_lifetime_and_leeway_are_honoured(
    kind: str, algorithm: str, clock: FakeClock
) -> None:
    codec = make_codec(kind, clock, algorithm=algorithm, lifetime=timedelta(minutes=5),
                       leeway=timedelta(0))
    token = issue(codec)
    assert token.lifetime_seconds == 300
    clock.advance(timedelta(minutes=5) - timedelta(seconds=1))
    assert_verdict(codec, token.value, accepted=True)
    clock.advance(timedelta(seconds=1))
    assert_verdict(codec, token.value, accepted=False)


@pytest.mark.parametrize(("offset", "accepted"), [(29, True), (31, False)])
def test_a_not_before_claim_is_checked_with_the_leeway(
    codec: JwtTokenCodec, clock: FakeClock, offset: int, accepted: bool
) -> None:
    not_before = int(clock.now().timestamp()) + offset
    assert_verdict(codec, forge_for(codec, valid_claims(clock.now(), nbf=not_before)), accepted)


# -- claims --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "option",
    [{"current": hmac_key("another secret, just as long as the first")},
     {"current": KEYS["ES256"][1]}, {"issuer": "someone-else"},
     {"audience": "another-service"}],
    ids=["secret", "ec-key", "issuer", "audience"],
)
def test_a_token_from_another_configuration_is_rejected(
    kinds: tuple[str, str], algorithm: str, clock: FakeClock, option: dict[str, Any],
) -> None:
    stranger = make_codec(kinds[0], clock, algorithm=algorithm, **option)
    decoder = make_codec(kinds[1], clock, algorithm=algorithm)
    with pytest.raises(NotAuthenticated):
        decoder.decode(issue(stranger).value)


@pytest.mark.parametrize("signer", SIGNERS)
@pytest.mark.parametrize("missing", REQUIRED_CLAIMS)
def test_a_token_missing_any_claim_is_rejected(
    codec: JwtTokenCodec, clock: FakeClock, signer: str, missing: str
) -> None:
    claims = valid_claims(clock.now())
    del claims[missing]
    with pytest.raises(NotAuthenticated):
        codec.decode(SIGNERS[signer](claims, codec.keys.current))


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
    codec: JwtTokenCodec, clock: FakeClock, claim: str, value: object
) -> None:
    with pytest.raises(NotAuthenticated):
        codec.decode(forge_for(codec, valid_claims(clock.now(), **{claim: value})))


# -- headers and algorithms ---------------------------------------------------------------


OTHER_ALGORITHM = "the other one of HS256 and ES256"


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "HS384", "HS512", "hs256", "es256", "",
                                 OTHER_ALGORITHM])
@pytest.mark.parametrize("with_signature", [True, False], ids=["hmac-signed", "unsigned"])
def test_any_algorithm_but_the_keys_own_is_rejected(
    codec: JwtTokenCodec, clock: FakeClock, alg: str, with_signature: bool
) -> None:
    own = codec.keys.current.algorithm
    if alg == OTHER_ALGORITHM:
        alg = next(other for other in ALGORITHMS if other != own)
    digest = {"HS384": hashlib.sha384, "HS512": hashlib.sha512}.get(alg, hashlib.sha256)
    # HMAC with the key's secret, or (for an EC key) with its public key's PEM: the classic
    # confusion, when a verifier lets the token pick HMAC and feeds it the public key.
    token = forge({"alg": alg, "typ": "JWT"}, valid_claims(clock.now()), digest,
                  key=codec.keys.current, hmac_secret=_hmac_secret_of(codec.keys.current))
    if not with_signature:
        token = token.rsplit(".", 1)[0] + "."
    with pytest.raises(NotAuthenticated):
        codec.decode(token)


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_a_token_signed_with_a_public_key_algorithm_is_rejected(
    codec: JwtTokenCodec, clock: FakeClock, foreign_keys: dict[str, Any], alg: str
) -> None:
    token = pyjwt.encode(valid_claims(clock.now()), foreign_keys[alg], algorithm=alg,
                         headers={"kid": codec.keys.current.kid})
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
    codec: JwtTokenCodec, clock: FakeClock, name: str, value: object
) -> None:
    token = forge_for(codec, valid_claims(clock.now()), typ="JWT", **{name: value})
    with pytest.raises(NotAuthenticated):
        codec.decode(token)


# -- signing keys and rotation ------------------------------------------------------------


def test_an_hmac_kid_names_the_current_secret_by_a_stable_digest(
    kinds: tuple[str, str], clock: FakeClock
) -> None:
    kid = pyjwt.get_unverified_header(issue(make_codec(kinds[0], clock)).value)["kid"]
    assert kid == KID == key_id(SECRET)
    assert key_id(SECRET) != key_id(OLD_SECRET)
    assert SECRET not in kid and len(kid) == 12


@pytest.mark.parametrize("kind", CODECS)
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_only_the_current_key_signs_after_a_rotation(
    kind: str, algorithm: str, clock: FakeClock
) -> None:
    current, old, _ = KEYS[algorithm]
    codec = make_codec(kind, clock, current=current, previous=[old])
    assert pyjwt.get_unverified_header(issue(codec).value)["kid"] == current.kid


def test_a_token_of_a_previous_key_verifies_while_that_key_is_listed(
    kinds: tuple[str, str], algorithm: str, clock: FakeClock
) -> None:
    current, old, older = KEYS[algorithm]
    before = make_codec(kinds[0], clock, current=old)
    after = make_codec(kinds[1], clock, current=current, previous=[older, old])
    token = issue(before).value

    assert_verdict(after, token, accepted=True)
    assert_verdict(make_codec(kinds[1], clock, current=current, previous=[older]), token, False)
    assert_verdict(make_codec(kinds[1], clock, current=current), token, accepted=False)


def test_a_codec_that_has_not_rotated_yet_rejects_tokens_of_the_new_key(
    kinds: tuple[str, str], algorithm: str, clock: FakeClock
) -> None:
    current, old, _ = KEYS[algorithm]
    rotated = make_codec(kinds[0], clock, current=current, previous=[old])
    not_yet = make_codec(kinds[1], clock, current=old)
    assert_verdict(not_yet, issue(rotated).value, accepted=False)


@pytest.mark.parametrize(
    "kid",
    [key_id("a key nobody here has ever configured, 32+"), KEYS["ES256"][2].kid, "", "nope",
     None, 42, True, [KID], {"kid": KID}, KID.upper(), KID + "="],
    ids=repr,
)
def test_a_token_naming_an_unknown_key_is_rejected_though_signed_right(
    codec: JwtTokenCodec, clock: FakeClock, kid: object
) -> None:
    if kid == KID:  # the HMAC suite's own kid, in the shapes above
        kid = codec.keys.current.kid
    token = forge_for(codec, valid_claims(clock.now()), typ="JWT", kid=kid)
    with pytest.raises(NotAuthenticated):
        codec.decode(token)


@pytest.mark.parametrize("kind", CODECS)
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_token_naming_no_key_is_rejected_though_signed_right(
    kind: str, algorithm: str, clock: FakeClock
) -> None:
    current, old, _ = KEYS[algorithm]
    codec = make_codec(kind, clock, current=current, previous=[old])
    for key in (current, old):
        token = forge({"alg": algorithm, "typ": "JWT"}, valid_claims(clock.now()), key=key,
                      name_the_key=False)
        with pytest.raises(NotAuthenticated):
            codec.decode(token)


@pytest.mark.parametrize("kind", CODECS)
@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("names_current", [False, True],
                         ids=["names-old-signed-by-current", "names-current-signed-by-old"])
def test_the_kid_only_chooses_the_key_the_signature_must_still_match(
    kind: str, algorithm: str, clock: FakeClock, names_current: bool
) -> None:
    current, old, _ = KEYS[algorithm]
    named, signed_with = (current, old) if names_current else (old, current)
    codec = make_codec(kind, clock, current=current, previous=[old])
    token = forge({"alg": algorithm, "typ": "JWT", "kid": named.kid},
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
@pytest.mark.parametrize("algorithm", ALGORITHMS)
@settings(max_examples=200, deadline=None)
@given(where=st.integers(0, 10_000), shift=st.integers(1, len(TOKEN_CHARS) - 1))
def test_any_tampering_with_a_token_is_rejected(
    kind: str, algorithm: str, where: int, shift: int
) -> None:
    codec = make_codec(kind, FakeClock(), algorithm=algorithm)
    token = issue(codec).value
    # Drawn independently of the (random) token, so that Hypothesis can replay an example.
    position = where % len(token)
    replacement = TOKEN_CHARS[(TOKEN_CHARS.index(token[position]) + shift) % len(TOKEN_CHARS)]
    tampered = token[:position] + replacement + token[position + 1 :]
    if position < len(token) - 1:
        with pytest.raises(NotAuthenticated):
            codec.decode(tampered)
        return
    # The last character of a 32-byte (HS256) or 64-byte (ES256) signature carries two or four
    # unused bits, which base64 decoders ignore: other spellings of it decode to the same
    # signature.
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
    codec: JwtTokenCodec, respell: Callable[[str], str]
) -> None:
    # python-jose's lenient base64 accepts these where PyJWT does not; both must refuse.
    token = next(value for value in (issue(codec).value for _ in range(500))
                 if {"-", "_"} <= set(value.rsplit(".", 1)[1]))
    signing_input, signature = token.rsplit(".", 1)
    with pytest.raises(NotAuthenticated):
        codec.decode(f"{signing_input}.{respell(signature)}")


@pytest.mark.parametrize("kind", CODECS)
@pytest.mark.parametrize("algorithm", ALGORITHMS)
@settings(max_examples=150, deadline=None)
@given(garbage=st.text() | st.from_regex(r"\A[\w-]*\.[\w-]*\.[\w-]*\Z"))
def test_garbage_is_not_authenticated_and_raises_nothing_else(
    kind: str, algorithm: str, garbage: str
) -> None:
    with pytest.raises(NotAuthenticated):
        make_codec(kind, FakeClock(), algorithm=algorithm).decode(garbage)


@pytest.mark.parametrize("kind", CODECS)
@pytest.mark.parametrize("algorithm", ALGORITHMS)
@settings(max_examples=150, deadline=None)
@given(
    header=st.dictionaries(st.text(max_size=4) | st.sampled_from(["alg", "typ", "kid", "crit"]),
                           json_values, max_size=3),
    changes=st.dictionaries(st.sampled_from([*REQUIRED_CLAIMS, "nbf", "extra"]), json_values,
                            max_size=3),
)
def test_any_correctly_signed_odd_token_is_decoded_or_not_authenticated(
    kind: str, algorithm: str, header: dict[str, Any], changes: dict[str, Any]
) -> None:
    clock = FakeClock()
    token = forge({"alg": algorithm, **header}, valid_claims(clock.now(), **changes),
                  key=KEYS[algorithm][0])
    try:
        claims = make_codec(kind, clock, algorithm=algorithm).decode(token)
    except NotAuthenticated:
        return
    assert claims.subject and claims.session_id and claims.token_id
    assert claims.issued_at <= clock.now() + LEEWAY
    assert claims.expires_at > clock.now() - LEEWAY


# -- construction --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", CODECS)
@pytest.mark.parametrize(
    "option", [{"lifetime": timedelta(0)}, {"leeway": timedelta(seconds=-1)}],
    ids=["no-lifetime", "negative-leeway"],
)
def test_an_unsafe_configuration_is_refused(
    kind: str, clock: FakeClock, option: dict[str, Any]
) -> None:
    with pytest.raises(ValueError):
        make_codec(kind, clock, **option)


@pytest.mark.parametrize("secret", ["too short", "x" * 31, ""], ids=["short", "31-bytes", "empty"])
def test_a_short_hmac_secret_is_refused(secret: str) -> None:
    with pytest.raises(ValueError):
        hmac_key(secret)


@pytest.mark.parametrize("kind", CODECS)
def test_a_previous_key_of_exactly_32_bytes_is_accepted(kind: str, clock: FakeClock) -> None:
    old = hmac_key("k" * 32)
    token = forge({"alg": "HS256", "typ": "JWT"}, valid_claims(clock.now()), key=old)
    assert_verdict(make_codec(kind, clock, previous=[old]), token, accepted=True)


@pytest.mark.parametrize("kind", CODECS)
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_token_verified_once_is_still_checked_on_every_decode(
    kind: str, algorithm: str, clock: FakeClock
) -> None:
    codec = make_codec(kind, clock, algorithm=algorithm)
    token = issue(codec).value
    assert_verdict(codec, token, accepted=True)  # its signature is now remembered

    clock.advance(LIFETIME + LEEWAY)

    assert_verdict(codec, token, accepted=False)
    assert_verdict(make_codec(kind, clock, current=KEYS[algorithm][1]), token, accepted=False)
