"""Writes of the school layer: classes, rosters, assignments, login cards, notices."""
