"""Learning's pure rules: when a course is complete, and the SVG charts of teacher pages. No Flask,
no SQLAlchemy, no settings: values in, values out, testable without an app."""
