"""The pure core of credit transfer: no web framework, ORM or settings."""
