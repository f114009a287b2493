"""Pure school logic (no Flask, no SQLAlchemy, no settings): what the class pages compute."""
