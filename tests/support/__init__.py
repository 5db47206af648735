"""Test support: databases, servers and form helpers shared by the suites."""
