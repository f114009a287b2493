"""Authoring writes: courses, lectures, quizzes, media, retiring and ordering items.

Services flush, never commit; the view or command commits once.
"""
