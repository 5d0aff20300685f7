"""The bundled list of common passwords, loaded once per process on first use."""

import gzip
from functools import cache
from importlib import resources


@cache
def common_passwords() -> frozenset[str]:
    """About 20,000 passwords, lower-cased; the policy checks a lower-cased password against it.

    Cached for the process: each app (and each test's container) shares the one ~2 MB set
    instead of reading the file per request or per container.
    """
    data = resources.files(__package__).joinpath("common-passwords.txt.gz").read_bytes()
    lines = gzip.decompress(data).decode().splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())
