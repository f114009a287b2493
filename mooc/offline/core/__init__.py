"""Pure rules of offline learning: what a course's bundle holds, and reading a device's sync
batch. No Flask, no SQLAlchemy."""
