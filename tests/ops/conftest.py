"""Fixtures for the admin services: the local stack (moto seeded from the guide), a profile for it, and an audit
log (empty, or with every DR drill recorded). The stubbed AWS for what moto cannot express is aws_world.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ops_testkit import drill, frozen_clock, profile_for

from backend.devstack import StackInfo
from console.config import Profile
from console.ops.audit import AuditLog
from console.ops.guide import Drill


@pytest.fixture
def stack_profile(stack: StackInfo) -> Profile:
    return profile_for(stack.aws_endpoint_url, region=stack.region)


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl", clock=frozen_clock)


@pytest.fixture
def drilled(audit: AuditLog) -> AuditLog:
    """The audit log with each of the guide's monthly drills done ten days ago, within its target."""
    for kind in Drill:
        drill(audit, kind)
    return audit
