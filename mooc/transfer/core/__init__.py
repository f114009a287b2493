"""Pure credit-transfer logic: credit conversion and evaluating facts against rules.

No Flask, SQLAlchemy or settings (an import-linter contract keeps it so).
"""
