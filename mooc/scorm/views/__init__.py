"""SCORM's pages: the lecture player's launch and tracking endpoints."""
