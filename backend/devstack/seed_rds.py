"""RDS: the Aurora PostgreSQL cluster of the guide's "Automated Backups", two instances, manual snapshots."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backend.devstack.names import DB_CLUSTER, DB_READER, DB_WRITER, ENVIRONMENT, PROJECT
from backend.devstack.timeline import Timeline

ENGINE = "aurora-postgresql"
ENGINE_VERSION = "15.4"
INSTANCE_CLASS = "db.r6g.large"  # the guide's production db_instance_class
# Days before the stack's start that the manual snapshots are named after (the last one is past retention).
MANUAL_SNAPSHOT_AGES_DAYS = (1, 7, 45)

_TAGS = [{"Key": "Project", "Value": PROJECT}, {"Key": "Environment", "Value": ENVIRONMENT}]


def seed(rds: Any, timeline: Timeline) -> None:
    rds.create_db_cluster(
        DBClusterIdentifier=DB_CLUSTER,
        Engine=ENGINE,
        EngineVersion=ENGINE_VERSION,
        DatabaseName="shop_management",
        MasterUsername="postgres",
        MasterUserPassword="moto-ignores-this-1",
        Port=5432,
        BackupRetentionPeriod=30,
        PreferredBackupWindow="03:00-04:00",
        PreferredMaintenanceWindow="sun:04:00-sun:05:00",
        DeletionProtection=True,
        CopyTagsToSnapshot=True,
        StorageEncrypted=True,
        Tags=_TAGS,
    )
    # The writer first (moto makes the first member the writer), so that the guide's failover target is a reader.
    for instance, zone in ((DB_WRITER, "us-east-1a"), (DB_READER, "us-east-1b")):
        rds.create_db_instance(
            DBInstanceIdentifier=instance,
            DBClusterIdentifier=DB_CLUSTER,
            Engine=ENGINE,
            DBInstanceClass=INSTANCE_CLASS,
            AvailabilityZone=zone,
            PubliclyAccessible=False,
            Tags=_TAGS,
        )
    for days in MANUAL_SNAPSHOT_AGES_DAYS:
        taken = (timeline.now - timedelta(days=days)).replace(hour=12, minute=0, second=0)
        # The guide's script uses `date +%Y%m%d_%H%M%S`, but RDS identifiers allow only letters, digits, hyphens.
        rds.create_db_cluster_snapshot(
            DBClusterIdentifier=DB_CLUSTER,
            DBClusterSnapshotIdentifier=f"manual-backup-{taken:%Y%m%d-%H%M%S}",
            Tags=_TAGS,
        )
