"""The notifications blueprints (`/notifications`, `/notifications/settings`; the administrator's
`/admin/emails` outbox) and the header's unread count, which the factory hands to every template."""

from __future__ import annotations

from mooc.notifications.views.inbox import bp, unread_notifications
from mooc.notifications.views.outbox import bp as outbox_bp

__all__ = ["bp", "outbox_bp", "unread_notifications"]
