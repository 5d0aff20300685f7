"""Persistence adapters: in-memory, and SQLAlchemy for SQLite and PostgreSQL."""
