"""Assessment's pure rules: question types (checking a definition, grading a response), scoring an
attempt, and grade scales. No Flask, no SQLAlchemy, no settings."""
