"""Adapters for the ports, settings, and the container that wires them."""
