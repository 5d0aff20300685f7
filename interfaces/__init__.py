"""Interfaces: the FastAPI adapter and the command line."""
