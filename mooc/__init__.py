"""mooc: an open online course platform with signed, verifiable credit records.

Importing this package pulls in nothing: the Flask application is assembled by
`mooc.factory.create_app`, and pure cores can be used on their own.
"""
