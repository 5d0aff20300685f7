"""Roomkey's domain: entities, value objects and rules, standard library only."""
