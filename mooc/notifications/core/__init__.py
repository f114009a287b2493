"""Pure rules of notifications (no Flask, SQLAlchemy or settings): when a failed email is tried
again."""
