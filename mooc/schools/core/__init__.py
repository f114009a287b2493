"""Pure rules of the schools feature: no Flask, no SQLAlchemy, no settings."""
