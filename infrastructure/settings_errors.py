"""A setting that does not parse, said in one line per variable: its name and the form wanted."""

import re
import types
import typing
from datetime import timedelta

from pydantic import ValidationError
from pydantic_settings import NoDecode, SettingsError

from infrastructure.settings import Settings

PREFIX = "ROOMKEY_"
_FIELD_IN_SETTINGS_ERROR = re.compile(r'field "(\w+)"')


def describe_settings_error(error: ValidationError | SettingsError) -> str:
    """What to fix: e.g. `ROOMKEY_PREVIOUS_SECRET_KEYS does not parse: expected a JSON list`."""
    if isinstance(error, SettingsError):
        match = _FIELD_IN_SETTINGS_ERROR.search(str(error))
        if match is None:
            return str(error)
        field = match.group(1)
        return f"{variable(field)} does not parse: expected {expected_form(field)}"
    return "; ".join(_describe_one(detail) for detail in error.errors())


def variable(field: str) -> str:
    return PREFIX + field.upper()


def _describe_one(detail: typing.Any) -> str:
    message = str(detail["msg"]).removeprefix("Value error, ")
    location = detail["loc"]
    if not location:  # a rule across settings: its message names the variables
        return message
    field = str(location[0])
    if message.startswith(PREFIX):
        return message
    form = expected_form(field)
    return f"{variable(field)}: {message}" + (f" (expected {form})" if form else "")


def expected_form(field: str) -> str:
    """The form a setting takes, from its type."""
    info = Settings.model_fields.get(field)
    if info is None:
        return ""
    if any(isinstance(item, NoDecode) or item is NoDecode for item in info.metadata):
        return "a comma-separated list"
    return _form(info.annotation)


def _form(annotation: typing.Any) -> str:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        alternatives = [_form(arg) for arg in typing.get_args(annotation)
                        if arg is not type(None)]
        return " or ".join(form for form in alternatives if form)
    if origin is typing.Literal:
        return "one of " + ", ".join(str(arg) for arg in typing.get_args(annotation))
    if origin is list:
        return 'a JSON list, e.g. ["first", "second"]'
    forms: dict[typing.Any, str] = {
        bool: "true or false", int: "a whole number", float: "a number",
        timedelta: "seconds, or an ISO 8601 duration such as PT15M",
    }
    return forms.get(annotation, "")
