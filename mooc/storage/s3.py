"""S3 (or an S3-compatible server) through boto3; multipart for large files, presigned delivery.

A presigned URL is fetched straight from S3, without the headers our media route adds, so the
objects carry their own type, disposition and caching, and the URL repeats type and disposition
(signed, so nobody can change them; older objects get them too). S3 cannot send a CSP header: SVG
images are cleaned before they are stored, and are downloads rather than pages when opened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, BinaryIO, cast

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from mooc.storage.base import (
    CACHE_CONTROL,
    Listed,
    StoredObject,
    check_key,
    content_disposition,
    name_of,
)

# Files above 8 MiB go up in 8 MiB parts (boto3 handles retries of single parts).
_TRANSFER = TransferConfig(multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024)


class S3Storage:
    def __init__(self, *, bucket: str, prefix: str = "", endpoint_url: str | None = None) -> None:
        if not bucket:
            raise ValueError("s3:// storage URL needs a bucket name")
        self.bucket = bucket
        self.prefix = f"{prefix}/" if prefix else ""
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(
        self, key: str, data: BinaryIO, *, content_type: str, download_name: str | None = None
    ) -> StoredObject:
        disposition = content_disposition(content_type, download_name or name_of(key))
        self.client.upload_fileobj(
            data,
            self.bucket,
            self._key(key),
            ExtraArgs={
                "ContentType": content_type,
                "ContentDisposition": disposition,
                "CacheControl": CACHE_CONTROL,
            },
            Config=_TRANSFER,
        )
        head = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        return StoredObject(key=key, size=int(head["ContentLength"]), content_type=content_type)

    def open(self, key: str) -> BinaryIO:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            raise FileNotFoundError(key) from exc
        return cast(BinaryIO, response["Body"])

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError:
            return False
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def listing(self, prefix: str) -> Iterator[Listed]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix + prefix
        )
        for page in pages:
            for found in page.get("Contents", []):
                modified: dt.datetime = found["LastModified"]
                yield Listed(
                    found["Key"][len(self.prefix) :],
                    modified.astimezone(dt.UTC),
                    int(found.get("Size", 0)),
                )

    def url(
        self,
        key: str,
        *,
        expires_in: int = 300,
        content_type: str | None = None,
        download_name: str | None = None,
    ) -> str | None:
        params = {"Bucket": self.bucket, "Key": self._key(key)}
        if content_type is not None:
            params["ResponseContentType"] = content_type
            params["ResponseContentDisposition"] = content_disposition(
                content_type, download_name or name_of(key)
            )
            params["ResponseCacheControl"] = CACHE_CONTROL
        return cast(
            str,
            self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in),
        )
