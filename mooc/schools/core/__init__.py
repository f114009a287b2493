"""Pure logic of the school layer: reading rosters (OneRoster CSV bulk, the Vietnamese spreadsheet),
generating usernames and planning an import against what exists. No Flask, no SQLAlchemy."""
