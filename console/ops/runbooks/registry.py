"""The fixed registry of named actions a runbook may use: nothing else can run (no free shell, no free SQL)."""

from __future__ import annotations

from typing import Any

from console.ops.runbooks.actions import Action
from console.ops.runbooks.db_actions import CancelSession, TerminateSession
from console.ops.runbooks.ecs_actions import ForceNewDeployment, ScaleService
from console.ops.runbooks.maintenance_actions import DbMaintenance, DeleteLogStreams
from console.ops.runbooks.rds_actions import FailoverCluster
from console.ops.snapshot_action import CreateClusterSnapshot

ACTIONS: dict[str, Action[Any]] = {
    action.name: action
    for action in (
        ScaleService(),
        ForceNewDeployment(),
        CancelSession(),
        TerminateSession(),
        CreateClusterSnapshot(),
        FailoverCluster(),
        DbMaintenance(),
        DeleteLogStreams(),
    )
}
