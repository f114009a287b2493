"""Demo data for `make run` (MOOC_DEMO=1): demo accounts, their roles and their progress."""
