"""Helpers shared by the tests (and the scripts that render what the tests check)."""
