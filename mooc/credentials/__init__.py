"""Signed credit records: Open Badges 3.0 / CLR 2.0 credentials secured with eddsa-rdfc-2022.

`mooc.credentials.core` is the pure part (building, canonicalizing, signing, verifying) and
imports no web framework, ORM or settings, so a university can use it as a library.
"""
