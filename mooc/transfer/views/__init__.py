"""Credit-transfer pages for students and university staff.

A blueprint per module; only the app factory imports them.
"""
