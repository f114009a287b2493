"""Demo data for `make run` (MOOC_DEMO=1): institutions' people, demo accounts and their progress."""
