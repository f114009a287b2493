"""Pure catalogue logic: what a media file is, SVG cleaning, search text.

No Flask, SQLAlchemy or settings (an import-linter contract keeps it so).
"""
