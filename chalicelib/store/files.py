"""Files kept in S3: uploaded rosters now, reports later."""
from __future__ import annotations

import functools
from typing import Any

from chalicelib.config import settings

__all__ = ["put_file", "get_file", "presigned_url"]


@functools.cache
def _s3() -> Any:
    import boto3  # on first use: most requests never touch a file

    return boto3.client("s3", region_name=settings().region)


def put_file(key: str, data: bytes, content_type: str) -> None:
    _s3().put_object(Bucket=settings().files_bucket, Key=key, Body=data, ContentType=content_type,
                     ServerSideEncryption="AES256")


def get_file(key: str) -> bytes:
    return _s3().get_object(Bucket=settings().files_bucket, Key=key)["Body"].read()


def presigned_url(key: str, expires_in: int = 900) -> str:
    return _s3().generate_presigned_url("get_object", Params={"Bucket": settings().files_bucket, "Key": key},
                                        ExpiresIn=expires_in)
