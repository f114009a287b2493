"""Accounts' pages: `account` (log in, register, profile), `recovery` (password recovery) and
`admin` (institutions, people and roles)."""
