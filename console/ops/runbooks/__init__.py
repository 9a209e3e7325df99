"""Runbooks: incident and recovery procedures as files (assets/runbooks/), walked step by step with live figures
and a safe, recorded fix. No Textual: the runbook screen and `shop-console runbooks` drive the same engine.

- model: the file format (pydantic); loader: reading and validating the files, with file and line in errors.
- actions: how every write-mode action runs (preview, confirmation by risk, run, verify, audit); registry: the
  fixed set of named actions (ecs_actions, db_actions, rds_actions and console.ops.snapshot_action).
- checks: metric, logs and database checks against thresholds; engine: a run of one runbook, step by step.
- command: `shop-console runbooks list | show NAME | run NAME`.

Modules are imported one by one (this package imports nothing), so that snapshot_action, which the registry
holds, can use the actions module without an import cycle.
"""
