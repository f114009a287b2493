"""Pure authoring logic: reading a course package into frozen values.

No Flask, SQLAlchemy or settings (an import-linter contract keeps it so).
"""
