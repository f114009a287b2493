"""Schools: school years, classes and their people, roster import, assignments and class reports.

Sits above learning and assessment (it reads progress and attempts to report on a class) and below
the API; see ARCHITECTURE.md.
"""
