"""In-memory storage for unit tests of code that stores bytes."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import BinaryIO

from mooc.storage.base import Listed, StoredObject, check_key


class MemoryStorage:
    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.modified: dict[str, dt.datetime] = {}

    def put(
        self, key: str, data: BinaryIO, *, content_type: str, download_name: str | None = None
    ) -> StoredObject:
        body = data.read()
        self.objects[check_key(key)] = (body, content_type)
        self.modified[key] = dt.datetime.now(dt.UTC)
        return StoredObject(key=key, size=len(body), content_type=content_type)

    def open(self, key: str) -> BinaryIO:
        try:
            return io.BytesIO(self.objects[check_key(key)][0])
        except KeyError:
            raise FileNotFoundError(key) from None

    def exists(self, key: str) -> bool:
        return check_key(key) in self.objects

    def delete(self, key: str) -> None:
        self.objects.pop(check_key(key), None)
        self.modified.pop(key, None)

    def listing(self, prefix: str) -> Iterator[Listed]:
        for key in sorted(k for k in self.objects if k.startswith(prefix)):
            modified = self.modified.get(key, dt.datetime.min.replace(tzinfo=dt.UTC))
            yield Listed(key, modified, len(self.objects[key][0]))

    def url(
        self,
        key: str,
        *,
        expires_in: int = 300,
        content_type: str | None = None,
        download_name: str | None = None,
    ) -> str | None:
        return None
