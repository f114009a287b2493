"""Credit-transfer writes: trust, agreements and rules, requests, evaluation, decisions.

Services flush, never commit; the view or command commits once.
"""
