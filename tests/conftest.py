"""Shared fixtures; the database fixtures live in tests/databases.py."""

pytest_plugins = ["tests.databases", "tests.redis_server", "tests.mail_server"]
