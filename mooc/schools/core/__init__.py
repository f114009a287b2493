"""Pure school logic: no Flask, no SQLAlchemy, no settings."""
