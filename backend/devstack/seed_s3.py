"""S3: the backup bucket with schema dumps (the guide's backup script), and the uploads bucket with the guide's
cross-region replication rule, versioning, a lifecycle configuration and some files."""

from __future__ import annotations

import base64
from datetime import timedelta
from importlib.resources import files
from typing import Any

from backend.devstack.aws import ACCOUNT_ID
from backend.devstack.demo_accounts import CORNER_GROCER, HARBOR_HARDWARE
from backend.devstack.names import (
    BACKUP_BUCKET,
    ENVIRONMENT,
    PROJECT,
    REPLICA_BUCKET,
    REPLICA_REGION,
    UPLOADS_BUCKET,
)
from backend.devstack.timeline import Timeline

SCHEMA_DUMP_DAYS = (3, 2, 1, 0)  # days before the stack's start; each dump at 03:30 UTC, in the backup window
REPLICATION_RULE = {
    "ID": "backup-replication",
    "Status": "Enabled",
    "Priority": 1,
    "Filter": {"Prefix": "uploads/"},
    "DeleteMarkerReplication": {"Status": "Disabled"},
    "Destination": {"Bucket": f"arn:aws:s3:::{REPLICA_BUCKET}", "StorageClass": "STANDARD_IA"},
}
LIFECYCLE_RULES = [
    {
        "ID": "uploads-tiering",
        "Filter": {"Prefix": "uploads/"},
        "Status": "Enabled",
        "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}, {"Days": 90, "StorageClass": "GLACIER"}],
        "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
    },
    {
        "ID": "expire-temporary-files",
        "Filter": {"Prefix": "tmp/"},
        "Status": "Enabled",
        "Expiration": {"Days": 7},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
    },
]
_TAGS = {"TagSet": [{"Key": "Project", "Value": PROJECT}, {"Key": "Environment", "Value": ENVIRONMENT}]}
# A 1x1 PNG: product photos only need to be images, not pretty ones.
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
_PRICE_LIST = (
    "sku,barcode,name,price\nCG-0001,4006381333931,Bananas (1 kg),249\nCG-0002,5000159484695,Oat milk 1 l,199\n"
)
UPLOADS: dict[str, tuple[bytes, str]] = {
    f"uploads/{CORNER_GROCER.id}/products/bananas.png": (_PNG, "image/png"),
    f"uploads/{CORNER_GROCER.id}/products/oat-milk.png": (_PNG, "image/png"),
    f"uploads/{CORNER_GROCER.id}/imports/price-list.csv": (_PRICE_LIST.encode(), "text/csv"),
    f"uploads/{HARBOR_HARDWARE.id}/products/claw-hammer.png": (_PNG, "image/png"),
    f"uploads/{HARBOR_HARDWARE.id}/products/wood-screws-4x40.png": (_PNG, "image/png"),
    "tmp/import-3b1f.csv": (_PRICE_LIST.encode(), "text/csv"),
}


def seed(s3: Any, s3_replica_region: Any, timeline: Timeline) -> None:
    _bucket(s3, BACKUP_BUCKET)
    dump = files("backend.devstack").joinpath("schema_dump.sql").read_bytes()
    for days in SCHEMA_DUMP_DAYS:
        taken = (timeline.now - timedelta(days=days)).replace(hour=3, minute=30, second=0)
        if taken <= timeline.now:
            key = f"schema/schema_{taken:%Y%m%d_%H%M%S}.sql"
            s3.put_object(Bucket=BACKUP_BUCKET, Key=key, Body=dump, ContentType="application/sql")

    _bucket(s3_replica_region, REPLICA_BUCKET, REPLICA_REGION)
    _bucket(s3, UPLOADS_BUCKET)
    s3.put_bucket_replication(
        Bucket=UPLOADS_BUCKET,
        ReplicationConfiguration={
            "Role": f"arn:aws:iam::{ACCOUNT_ID}:role/{PROJECT}-s3-replication",
            "Rules": [REPLICATION_RULE],
        },
    )
    s3.put_bucket_lifecycle_configuration(Bucket=UPLOADS_BUCKET, LifecycleConfiguration={"Rules": LIFECYCLE_RULES})
    for key, (body, content_type) in UPLOADS.items():
        s3.put_object(Bucket=UPLOADS_BUCKET, Key=key, Body=body, ContentType=content_type)


def _bucket(s3: Any, name: str, region: str | None = None) -> None:
    """A private, encrypted, versioned bucket (versioning on both ends is what replication needs)."""
    if region:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    else:
        s3.create_bucket(Bucket=name)
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_tagging(Bucket=name, Tagging=_TAGS)
