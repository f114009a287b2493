"""Credit-transfer writes: trust, agreements and rules, requests, evaluation, decisions, and the
signed record of a recognising decision (`recognition`, through the credentials pipeline).

Services flush, never commit; the view or command commits once.
"""
