"""A package zip held between the import preview and the teacher's confirmation.

Kept in object storage under a random token and the uploader's id, so only they can confirm it.
"""

from __future__ import annotations

import io
import re
import secrets

from flask_babel import gettext as _

from mooc.errors import NotFound
from mooc.storage import Storage

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _key(user_id: int, token: str) -> str:
    if not _TOKEN.match(token):
        raise NotFound(_("This import preview has expired; upload the package again."))
    return f"package-imports/{user_id}/{token}.zip"


def hold_package(storage: Storage, user_id: int, data: bytes) -> str:
    """Keep `data` for `user_id`; returns the token that names it."""
    token = secrets.token_urlsafe(24)
    storage.put(_key(user_id, token), io.BytesIO(data), content_type="application/zip")
    return token


def held_package(storage: Storage, user_id: int, token: str) -> bytes:
    """The zip `user_id` uploaded under `token`. Raises `NotFound` when there is none."""
    key = _key(user_id, token)
    if not storage.exists(key):
        raise NotFound(_("This import preview has expired; upload the package again."))
    with storage.open(key) as fh:
        return fh.read()


def release_package(storage: Storage, user_id: int, token: str) -> None:
    storage.delete(_key(user_id, token))
