"""Catalogue: courses, their levels, structure (sections, lectures) and search."""
