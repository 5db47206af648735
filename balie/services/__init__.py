"""Use cases: typed input in, models or results out. Services flush, never commit."""
