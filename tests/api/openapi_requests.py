"""Hypothesis strategies for requests to the operations of an OpenAPI document.

For each operation a valid request is derived from the document, then each of its slots (path
and query parameters, body fields) is replaced in turn by a value drawn from its declared type,
from just outside its bounds, or from no declared type at all; one more request sends a body of
junk. So every field of every route is tried with bad values while the rest of the request is
good enough to reach the rules (and the database) behind the first check.
"""

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

Json = Any
Schema = dict[str, Any]
HUGE = 10**20

# Characters that hurt somewhere: NUL (PostgreSQL), other C0 controls and DEL (logs), quotes and
# angle brackets (markup), a lone combining mark (normalisation), a right-to-left override.
_hostile_characters = st.sampled_from(["\x00", "\x01", "\x1b", "\x7f", "\n", "\t", "'", '"',
                                       "<", ">", "%", "\\", "\u0301", "\u202e", "\ufeff", "🔑"])
_characters = st.characters(exclude_categories=("Cs",))  # lone surrogates cannot be sent
_hostile_strings = st.sampled_from([
    "\x00", "a\x00b", "a\x00b@x.io", "x@y.io\x00", "\x1b[31m", "line\nbreak", "", " ", "null",
    "-1", "1e999", "NaN", "a@b.c", "@", "<script>alert(1)</script>@x.io", "0001-01-01",
    "9999-12-31", "0000-00-00", "2030-02-30", "99999-01-01", "x" * 70 + "@x.io", "x" * 5000])
_strings = st.one_of(
    _hostile_strings,
    st.lists(st.one_of(_hostile_characters, _characters), min_size=1, max_size=20).map("".join),
    st.text(_characters, max_size=30),
)
_extreme_integers = st.sampled_from([-1, 0, 2**31, -(2**31) - 1, 2**63, -(2**63) - 1, HUGE,
                                     -HUGE])
_numbers = st.one_of(_extreme_integers, st.integers(-HUGE, HUGE),
                     st.floats(allow_nan=False, allow_infinity=False))
_scalars = st.one_of(st.none(), st.booleans(), _numbers, _strings)
junk: st.SearchStrategy[Json] = st.recursive(
    _scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                      st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=6)


@dataclass
class Operation:
    method: str
    path: str
    parameters: list[Schema]
    body_type: str | None
    body_schema: Schema | None


@dataclass
class Request:
    method: str
    url: str
    params: dict[str, str] = field(default_factory=dict)
    body: Json = None
    body_type: str | None = None
    raw: bytes | None = None

    def send_arguments(self) -> dict[str, Any]:
        arguments: dict[str, Any] = {"params": self.params}
        if self.raw is not None:
            arguments["content"] = self.raw
            arguments["headers"] = {"Content-Type": self.body_type or "application/json"}
        elif self.body_type == "application/x-www-form-urlencoded":
            body = self.body if isinstance(self.body, dict) else {"username": self.body}
            arguments["data"] = {key: _text(value) for key, value in body.items()}
        elif self.body_type is not None:
            arguments["json"] = self.body
        return arguments


def operations(document: Schema) -> list[Operation]:
    found = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            body_type = next(iter(content), None)
            found.append(Operation(method.upper(), path, operation.get("parameters", []),
                                   body_type, content[body_type]["schema"] if body_type else None))
    return found


class Values:
    """Valid values a JSON schema describes, and strategies for their near and far misses."""

    def __init__(self, document: Schema, *, ids: list[str], email: str, password: str) -> None:
        self._schemas: dict[str, Schema] = document.get("components", {}).get("schemas", {})
        self._ids, self._email, self._password = ids, email, password
        self._dates = 0

    def resolve(self, schema: Schema) -> Schema:
        if "$ref" in schema:
            return self.resolve(self._schemas[schema["$ref"].rsplit("/", 1)[1]])
        options = [o for o in schema.get("anyOf", []) if o.get("type") != "null"]
        return self.resolve(options[0]) if options else schema

    def valid(self, schema: Schema, name: str = "") -> Json:
        """A value that passes the schema (its rules behind it may still refuse it)."""
        schema = self.resolve(schema)
        if "enum" in schema or "const" in schema:
            return schema.get("enum", [schema.get("const")])[0]
        kind, form = schema.get("type"), schema.get("format")
        if kind == "object":
            return {key: self.valid(value, key)
                    for key, value in schema.get("properties", {}).items()
                    if key in schema.get("required", [])}
        if kind == "integer":
            return max(schema.get("minimum", 1), 1)
        if kind == "boolean":
            return True
        if form == "uuid":
            return self._ids[0]
        if form == "date":
            self._dates += 1  # a later date each time, so that date_from < date_to
            return str(date(2031, 5, 1) + timedelta(days=self._dates % 2 * 2))
        if form == "email":
            return self._email
        return self._password if "password" in name else "walk"

    def near_misses(self, schema: Schema) -> st.SearchStrategy[Json]:
        """Values of the declared type (in, at and past its bounds), and values of none."""
        schema = self.resolve(schema)
        kind, form = schema.get("type"), schema.get("format")
        typed: st.SearchStrategy[Json] = _strings
        if kind == "integer":
            low, high = schema.get("minimum", -HUGE), schema.get("maximum", HUGE)
            typed = st.one_of(st.sampled_from([low - 1, high + 1, low, high]),
                              _extreme_integers, st.integers(low, high))
        elif kind == "boolean":
            typed = st.one_of(st.booleans(), _scalars)
        elif kind in ("object", "array"):
            typed = junk
        elif form == "uuid":
            typed = st.one_of(st.sampled_from(self._ids), st.uuids().map(str), _strings)
        elif form == "date":
            typed = st.one_of(st.dates().map(str), _strings, _numbers)
        elif "enum" in schema:
            typed = st.one_of(st.sampled_from(schema["enum"]), _strings)
        return st.one_of(typed, typed, junk)


@st.composite
def requests_for(draw: st.DrawFn, operation: Operation, values: Values) -> list[Request]:
    """The valid request, one request per slot with that slot missed, and one of junk."""
    path_values = {p["name"]: values.valid(p["schema"]) for p in operation.parameters
                   if p["in"] == "path"}
    query_values = {p["name"]: values.valid(p["schema"]) for p in operation.parameters
                    if p["in"] == "query" and p.get("required")}
    body = values.valid(operation.body_schema) if operation.body_schema else None
    fields = values.resolve(operation.body_schema or {}).get("properties", {})

    def build(path: dict[str, Json], query: dict[str, Json], body: Json) -> Request:
        url = operation.path
        for name, value in path.items():
            url = url.replace("{" + name + "}", quote(_text(value), safe="") or "x")
        return Request(operation.method, url, {k: _text(v) for k, v in query.items()}, body,
                       operation.body_type)

    requests = [build(path_values, query_values, body)]
    for parameter in operation.parameters:
        missed = draw(values.near_misses(parameter["schema"]), label=parameter["name"])
        if parameter["in"] == "path":
            requests.append(build(path_values | {parameter["name"]: missed}, query_values, body))
        else:
            requests.append(build(path_values, query_values | {parameter["name"]: missed}, body))
    for name, schema in fields.items():
        missed = draw(values.near_misses(schema), label=name)
        requests.append(build(path_values, query_values, {**(body or {}), name: missed}))
    if operation.body_type is not None:
        junk_request = build(path_values, query_values, draw(junk, label="body"))
        junk_request.raw = draw(st.one_of(st.none(), st.binary(max_size=40), st.sampled_from(
            [b"{", b'{"email": "a@x.io", "email": 1}', b"[]" * 20, b"\xff\xfe"])))
        requests.append(junk_request)
    return requests


def _text(value: Json) -> str:
    """A value as it travels in a path, a query string or a form field."""
    return value if isinstance(value, str) else json.dumps(value)
