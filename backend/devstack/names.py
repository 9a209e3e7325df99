"""Names of the seeded AWS resources, as the operations guide spells them (tests and screens look them up)."""

from __future__ import annotations

ENVIRONMENT = "production"  # the guide's Environment dimension and tag value
PROJECT = "shop-management"

CLUSTER = "shop-management-cluster"
API_SERVICE = "shop-management-api"
FRONTEND_SERVICE = "shop-management-frontend"

DB_CLUSTER = "shop-management-aurora"
DB_WRITER = "shop-management-aurora-2"
DB_READER = "shop-management-aurora-1"  # the guide's failover target
MAX_DB_CONNECTIONS = 100

BACKUP_BUCKET = "shop-management-backups"
UPLOADS_BUCKET = "shop-management-uploads"
REPLICA_BUCKET = "shop-management-uploads-replica"
REPLICA_REGION = "us-west-2"  # the guide's BACKUP_REGION

LOAD_BALANCER = "shop-management-alb"
LOG_GROUP = "/aws/ecs/shop-management-api"
ALERTS_TOPIC = "alerts"
