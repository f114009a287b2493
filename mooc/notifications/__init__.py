"""In-app notifications and their email copies (a new assignment, due tomorrow, a record issued,
a transfer decision). Features above call `services.notify`; sending never blocks a request."""
