"""The operations guide's figures in one place: resource names, backup settings per environment, the DR table.

Sections: "Backup & Disaster Recovery" (Aurora configuration, manual backup, S3 replication, RTO/RPO table,
recovery testing) and "Environment-Specific Deployments" (retention, deletion protection, multi-AZ per environment).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Resources:
    """The AWS resources the backup checks read, named as the guide names them."""

    cluster: str = "shop-management-aurora"
    failover_target: str = "shop-management-aurora-1"  # disaster-recovery.sh "database"
    backup_bucket: str = "shop-management-backups"
    schema_prefix: str = "schema/"
    uploads_bucket: str = "shop-management-uploads"
    replication_rule: str = "backup-replication"
    replication_prefix: str = "uploads/"
    backup_region: str = "us-west-2"  # disaster-recovery.sh BACKUP_REGION
    ecs_cluster: str = "shop-management-cluster"
    api_service: str = "shop-management-api"


BACKUP_WINDOW = "03:00-04:00"
MAINTENANCE_WINDOW = "sun:04:00-sun:05:00"
AUTOMATED_SNAPSHOT_MAX_AGE = dt.timedelta(hours=24)  # daily automated backups
SCHEMA_DUMP_MAX_AGE = dt.timedelta(hours=24)  # backup-database.sh runs daily
# The guide's drills run monthly; a few days' slack before a result counts as stale.
DRILL_MAX_AGE = dt.timedelta(days=35)


@dataclass(frozen=True)
class EnvironmentSettings:
    backup_retention_days: int
    deletion_protection: bool
    multi_az: bool
    desired_count: int


ENVIRONMENTS: dict[str, EnvironmentSettings] = {
    "development": EnvironmentSettings(
        backup_retention_days=1, deletion_protection=False, multi_az=False, desired_count=1
    ),
    "staging": EnvironmentSettings(backup_retention_days=7, deletion_protection=True, multi_az=False, desired_count=1),
    "production": EnvironmentSettings(
        backup_retention_days=30, deletion_protection=True, multi_az=True, desired_count=2
    ),
}


def settings_for(environment: str) -> EnvironmentSettings:
    """The demo stack is seeded as production, so a demo profile is held to production's settings."""
    return ENVIRONMENTS.get(environment, ENVIRONMENTS["production"])


class Drill(StrEnum):
    """The guide's monthly DR test schedule (Recovery Testing), week by week."""

    DATABASE_FAILOVER = "database_failover"  # week 1
    APPLICATION_RECOVERY = "application_recovery"  # week 2
    BACKUP_RESTORE = "backup_restore"  # week 3
    CROSS_REGION = "cross_region"  # week 4


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    rto: dt.timedelta
    rpo: dt.timedelta
    method: str
    drill: Drill  # the drill that measures this scenario's recovery time


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "database",
        "Database failure",
        dt.timedelta(minutes=15),
        dt.timedelta(minutes=5),
        "Aurora failover to read replica",
        Drill.DATABASE_FAILOVER,
    ),
    Scenario(
        "az",
        "AZ failure",
        dt.timedelta(minutes=10),
        dt.timedelta(0),
        "Multi-AZ automatic failover",
        Drill.DATABASE_FAILOVER,
    ),
    Scenario(
        "region",
        "Region failure",
        dt.timedelta(hours=4),
        dt.timedelta(minutes=15),
        "Cross-region backup restore",
        Drill.CROSS_REGION,
    ),
    Scenario(
        "application",
        "Application failure",
        dt.timedelta(minutes=5),
        dt.timedelta(0),
        "ECS auto-scaling, health checks",
        Drill.APPLICATION_RECOVERY,
    ),
    Scenario(
        "complete",
        "Complete disaster",
        dt.timedelta(hours=24),
        dt.timedelta(minutes=30),
        "Full environment rebuild",
        Drill.BACKUP_RESTORE,
    ),
)
