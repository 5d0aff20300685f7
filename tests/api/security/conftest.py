"""Abuse-resistance tests run on one backend and one JWT library: what they check does not
depend on either, and the six combinations would multiply their run time for nothing."""

import pytest


@pytest.fixture
def database_url() -> str:
    return "memory://"


@pytest.fixture
def jwt_library() -> str:
    return "jose"
