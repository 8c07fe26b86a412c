"""Seed 004's `reusables` package, of which litekv's tests need only `reusables.redis`."""
