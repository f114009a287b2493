"""Signed credit records: Open Badges 3.0 / CLR 2.0 credentials secured with eddsa-rdfc-2022.

Fixed roles: `models`, `services/` (writes, with the one signing pipeline in
`services.issuing`), `queries` (reads), `forms`, `views/` (pages, public documents, admin, API),
`cli`, `hooks` (issuing after a request). `core` is the pure part (building, reading,
canonicalizing, signing, verifying): it imports no web framework, ORM or settings, so a
university can use it as a library.
"""
