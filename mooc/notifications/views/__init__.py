"""The notifications blueprint (`/notifications`, `/notifications/settings`) and the header's
unread count, which the factory hands to every template."""

from __future__ import annotations

from mooc.notifications.views.inbox import bp, unread_notifications

__all__ = ["bp", "unread_notifications"]
