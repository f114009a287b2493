"""Object storage behind one small interface: local files (default), S3, memory (tests)."""

from mooc.storage.base import Storage, StoredObject, is_inline, open_storage

__all__ = ["Storage", "StoredObject", "is_inline", "open_storage"]
