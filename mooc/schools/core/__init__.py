"""Pure school logic (no Flask, no SQLAlchemy, no settings): reading rosters (OneRoster CSV
bulk, the Vietnamese spreadsheet), usernames, planning an import, what the class pages compute."""
