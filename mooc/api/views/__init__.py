"""The API's endpoints and its token pages.

A blueprint per module; only the app factory imports them.
"""
