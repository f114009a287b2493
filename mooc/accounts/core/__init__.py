"""Pure account logic: no Flask, no SQLAlchemy, no settings."""
