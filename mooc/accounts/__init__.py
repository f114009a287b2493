"""Accounts: people, institutions, memberships and roles; login and registration."""
