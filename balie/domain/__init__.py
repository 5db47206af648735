"""Pure domain logic: no Flask, no SQLAlchemy. Value objects and rules."""
