"""Local file storage: the embedded default, under the instance folder."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from mooc.storage.base import Listed, StoredObject, check_key


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(
        self, key: str, data: BinaryIO, *, content_type: str, download_name: str | None = None
    ) -> StoredObject:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write beside, then rename: a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(data, out, 1024 * 1024)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return StoredObject(key=key, size=path.stat().st_size, content_type=content_type)

    def open(self, key: str) -> BinaryIO:
        path = self._path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        return path.open("rb")

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def listing(self, prefix: str) -> Iterator[Listed]:
        # Walk only the folder the prefix names (keys are folder paths), skipping files being
        # written (".upload-…", never a key).
        folder = self.root / prefix.rsplit("/", 1)[0] if "/" in prefix else self.root
        if not folder.is_dir():
            return
        for path in sorted(folder.rglob("*")):
            key = path.relative_to(self.root).as_posix()
            if not key.startswith(prefix) or path.name.startswith(".") or not path.is_file():
                continue
            stat = path.stat()
            yield Listed(key, dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC), stat.st_size)

    def url(
        self,
        key: str,
        *,
        expires_in: int = 300,
        content_type: str | None = None,
        download_name: str | None = None,
    ) -> str | None:
        return None
