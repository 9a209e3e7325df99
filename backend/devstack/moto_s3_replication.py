"""Make moto's GetBucketReplication return the rules' filters.

moto 5 stores a bucket's replication rules as sent but answers GetBucketReplication with `"Filter": {"Prefix": ""}`
(and delete-marker replication "Disabled") for every rule. The backup screen checks the operations guide's rule
(`backup-replication`, prefix `uploads/`) against what S3 reports, so in the dev stack it must read back what was
seeded. `install()` replaces that one response method in this process; storage and every other call stay moto's.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.s3.exceptions import ReplicationConfigurationNotFoundError
from moto.s3.responses import S3Response


def _get_bucket_replication(self: S3Response) -> Any:
    self.data["Action"] = "GetBucketReplication"
    replication = self.backend.get_bucket_replication(self.bucket_name)
    if not replication:
        raise ReplicationConfigurationNotFoundError(bucket_name=self.bucket_name)
    rules = [
        {
            "ID": rule["ID"],
            "Priority": rule["Priority"],
            "Status": rule["Status"],
            "DeleteMarkerReplication": rule.get("DeleteMarkerReplication") or {"Status": "Disabled"},
            "Filter": rule.get("Filter") or {"Prefix": rule.get("Prefix", "")},  # V1 rules carry a bare Prefix
            "Destination": rule["Destination"],
        }
        for rule in replication["Rule"]
    ]
    return self.serialized(ActionResult({"ReplicationConfiguration": {"Role": replication["Role"], "Rules": rules}}))


def install() -> None:
    S3Response.get_bucket_replication = _get_bucket_replication  # type: ignore[method-assign]
