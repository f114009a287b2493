"""Domain errors raised by services and mapped to HTTP statuses once, in `mooc.web.errors`.

They carry a message meant for people (already translated by the caller when it has a request).
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of errors a user can cause and understand."""

    status = 400
    title = "Bad request"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BadRequest(DomainError):
    """A request that cannot be read or that our pages never send (400): a body that is not JSON,
    a stale or forged button form, an unknown choice."""


class Invalid(DomainError):
    """Input that is well-formed but not acceptable (422)."""

    status = 422
    title = "Invalid input"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class PermissionDenied(DomainError):
    status = 403
    title = "Forbidden"


class Conflict(DomainError):
    """The request clashes with the current state (a duplicate, a stale edit)."""

    status = 409
    title = "Conflict"


class Gone(DomainError):
    """What existed but no longer answers, such as an expired share link (410)."""

    status = 410
    title = "Gone"


class TooLarge(DomainError):
    status = 413
    title = "Content too large"
