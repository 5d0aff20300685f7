"""Roomkey's use cases, written against ports only."""
