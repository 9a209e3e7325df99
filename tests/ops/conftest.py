"""Fixtures for the admin services: the local stack (moto seeded from the guide), a profile for it, and an audit
log (empty, or with every DR drill recorded). The stubbed AWS for what moto cannot express is aws_world.

`stack` runs the stack as a child process (`python -m backend.devstack`, through console.demo.DemoStack): moto's
state is per process, so a child never collides with a stack another test module runs in this process.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ops_testkit import drill, frozen_clock, profile_for

from console.config import Profile
from console.demo import DemoStack, StackInfo
from console.ops.audit import AuditLog
from console.ops.guide import Drill


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackInfo]:
    base = tmp_path_factory.mktemp("ops-stack")
    demo = DemoStack("ops-tests")
    demo.data_dir, demo.log_path = base / "stack", base / "stack.log"  # never the user's real data dir
    try:
        yield demo.start()
    finally:
        demo.stop()


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
