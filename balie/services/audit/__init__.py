"""The access log (NEN 7513): writing, verifying, reading it, and a record's history in words."""
