"""The runbook files: every shipped one loads and says what the guide says; a malformed file is rejected with its
file, line and reason; inputs are typed and bounded; confirmations match the risk."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.ops.runbooks.actions import Risk
from console.ops.runbooks.command import show_text
from console.ops.runbooks.loader import (
    RUNBOOKS_DIR,
    RunbookError,
    UnknownRunbook,
    find_runbook,
    load_all,
    load_runbook,
)
from console.ops.runbooks.model import ActionStep, ApproveStep, InputError
from console.ops.runbooks.registry import ACTIONS

SHIPPED = {
    "high-cpu": {"ecs.scale_service"},
    "db-connections": {"db.cancel_session", "db.terminate_session"},
    "api-response-time": {"ecs.scale_service"},
    "dr-database-failover": {"rds.failover_cluster"},
    "manual-backup": {"rds.create_cluster_snapshot"},
    "dr-region-recovery": set(),
    "dr-complete-recovery": set(),
    "maintenance-database": {"db.maintenance"},
    "maintenance-log-retention": {"logs.delete_log_streams"},
    "maintenance-certificates": set(),
    "maintenance-s3-lifecycle": set(),
}
HIGH_CPU = (RUNBOOKS_DIR / "high-cpu.toml").read_text()


def test_every_shipped_runbook_loads_with_the_actions_it_needs() -> None:
    runbooks, problems = load_all()
    assert problems == []
    assert {r.name: {s.action for s in r.steps if isinstance(s, ActionStep)} for r in runbooks} == SHIPPED
    assert runbooks[0].category == "incident"  # what a paged operator looks for comes first


def test_region_and_complete_recovery_are_manual_procedures() -> None:
    for name in ("dr-region-recovery", "dr-complete-recovery"):
        runbook = find_runbook(name)
        assert runbook.manual and runbook.category == "disaster-recovery"
        assert any(isinstance(step, ApproveStep) for step in runbook.steps)


def test_the_registry_is_fixed() -> None:
    assert set(ACTIONS) == {
        "ecs.scale_service",
        "ecs.force_new_deployment",
        "db.maintenance",
        "logs.delete_log_streams",
        "db.cancel_session",
        "db.terminate_session",
        "rds.create_cluster_snapshot",
        "rds.failover_cluster",
    }
    risks = {name: action.risk for name, action in ACTIONS.items()}
    assert risks["db.terminate_session"] is Risk.HIGH and risks["rds.failover_cluster"] is Risk.HIGH
    assert risks["rds.create_cluster_snapshot"] is Risk.LOW
    assert risks["logs.delete_log_streams"] is Risk.HIGH and risks["ecs.force_new_deployment"] is Risk.MEDIUM


def test_show_prints_every_section_and_step() -> None:
    text = show_text(find_runbook("high-cpu"))
    for heading in ("When to use:", "When not to:", "Meaning:", "Impact:", "Diagnosis:", "Mitigation:", "Inputs"):
        assert heading in text
    assert "desired_count (integer; default 4, min 1, max 10): How many tasks to scale the service to" in text
    assert "1. [check] Service CPU, average" in text
    assert "Average of AWS/ECS CPUUtilization over {window_minutes} min; fails when > {cpu_threshold} %" in text
    assert "action ecs.scale_service (risk medium)" in text


def _variant(edit: tuple[str, str], name: str = "high-cpu") -> str:
    old, new = edit
    assert old in HIGH_CPU, old
    return HIGH_CPU.replace(old, new, 1).replace('name = "high-cpu"', f'name = "{name}"')


@pytest.mark.parametrize(
    ("edit", "marker", "reason"),
    [
        (
            ("threshold = 95", 'threshold = "lots"'),
            'threshold = "lots"',
            "step 'cpu-max', threshold: must be a number, or \"{name}\" of a numeric input",
        ),
        (
            ('kind = "action"', 'kind = "shell"'),
            'kind = "shell"',
            "step 'scale', kind: Input tag 'shell' found using 'kind' does not match",
        ),
        (
            ('action = "ecs.scale_service"', 'action = "shell.run"'),
            'action = "shell.run"',
            "step 'scale', action: unknown action 'shell.run' (the registry has: ecs.scale_service",
        ),
        (
            ('title = "Scale the service out"', 'title = "Scale the service out"\ncommand = "rm -rf /"'),
            'command = "rm -rf /"',
            "step 'scale', command: Extra inputs are not permitted",
        ),
        (
            ('threshold = "{cpu_threshold}"', 'threshold = "{cpu_limit}"'),
            'threshold = "{cpu_limit}"',
            "step 'cpu', threshold: {cpu_limit} names no input of this runbook",
        ),
        (
            ('desired_count = "{desired_count}" }', 'desired_count = "{service}" }'),
            'params = { cluster = "{cluster}", service = "{service}", desired_count = "{service}" }',
            "step 'scale', params.desired_count: Input should be a valid integer",
        ),
        (
            ('metric = "MemoryUtilization"\n', ""),
            "[[steps]]",  # a missing key: the line of its table
            "step 'memory', metric: Field required",
        ),
        (
            ('title = "Service memory, average"', 'title = "Service memory'),
            'title = "Service memory',
            "not valid TOML: Illegal character",
        ),
        (
            ("default = 4\nmin = 1\nmax = 10", "default = 14\nmin = 1\nmax = 10"),
            "[inputs.desired_count]",
            "inputs.desired_count: default 14 must be at most 10",
        ),
        (
            (
                'window_minutes = "{window_minutes}"\nfail_when = ">"\nthreshold = 95',
                'window_minutes = "{service}"\nfail_when = ">"\nthreshold = 95',
            ),
            'window_minutes = "{service}"',
            "step 'cpu-max', window_minutes: with the inputs' defaults: must be a number",
        ),
    ],
)
def test_a_malformed_file_is_rejected_with_file_line_and_reason(
    tmp_path: Path, edit: tuple[str, str], marker: str, reason: str
) -> None:
    text = _variant(edit, "broken")
    path = tmp_path / "broken.toml"
    path.write_text(text)
    with pytest.raises(RunbookError) as caught:
        load_runbook(path)
    problem = caught.value.problems[0]
    lines = text.splitlines()
    line = lines.index(marker) + 1 if marker != "[[steps]]" else lines.index('id = "memory"')
    assert (problem.path, problem.line) == (path, line), caught.value
    assert problem.reason.startswith(reason), problem.reason
    assert str(problem).startswith(f"{path}, line {line}: ")


def test_duplicate_step_ids_point_at_the_second(tmp_path: Path) -> None:
    text = _variant(('id = "cpu-max"', 'id = "cpu"'), "dupes")
    (tmp_path / "dupes.toml").write_text(text)
    with pytest.raises(RunbookError) as caught:
        load_runbook(tmp_path / "dupes.toml")
    (problem,) = caught.value.problems
    second = [n for n, line in enumerate(text.splitlines(), start=1) if line == 'id = "cpu"'][1]
    assert (problem.line, problem.reason) == (second, "step 'cpu', id: step id 'cpu' is used by an earlier step too")


def test_the_name_must_be_the_files(tmp_path: Path) -> None:
    (tmp_path / "other.toml").write_text(HIGH_CPU)
    with pytest.raises(RunbookError, match=r"line 2: name: name 'high-cpu' must be the file's name \('other'\)"):
        load_runbook(tmp_path / "other.toml")


def test_a_manual_runbook_may_not_act(tmp_path: Path) -> None:
    text = _variant(('category = "incident"', 'category = "incident"\nmanual = true'), "manual")
    (tmp_path / "manual.toml").write_text(text)
    with pytest.raises(RunbookError, match="step 'scale', kind: a manual runbook has no action steps"):
        load_runbook(tmp_path / "manual.toml")


def test_session_actions_target_earlier_session_checks_only(tmp_path: Path) -> None:
    text = (
        (RUNBOOKS_DIR / "db-connections.toml")
        .read_text()
        .replace('from_steps = ["long-running"]', 'from_steps = ["by-state"]')
    )
    (tmp_path / "db-connections.toml").write_text(text)
    with pytest.raises(RunbookError, match="'by-state' is no earlier database check of query 'sessions'"):
        load_runbook(tmp_path / "db-connections.toml")


def test_the_list_keeps_the_good_files_and_names_the_broken(tmp_path: Path) -> None:
    (tmp_path / "high-cpu.toml").write_text(HIGH_CPU)
    (tmp_path / "broken.toml").write_text("format = 1\nname = [\n")
    runbooks, problems = load_all(tmp_path)
    assert [r.name for r in runbooks] == ["high-cpu"]
    assert [(p.path.name, p.line) for p in problems] == [("broken.toml", 2)]  # the end of the document: its last line


@pytest.mark.parametrize("name", ["nope", "../high-cpu", "High-CPU"])
def test_an_unknown_runbook_lists_the_known(name: str) -> None:
    with pytest.raises(UnknownRunbook, match=r"no runbook .* \(there are: api-response-time, db-connections"):
        find_runbook(name)


def test_inputs_are_typed_and_bounded() -> None:
    runbook = find_runbook("high-cpu")
    assert runbook.accept_inputs({}) == {
        "cluster": "shop-management-cluster",
        "service": "shop-management-api",
        "window_minutes": 15,
        "cpu_threshold": 80.0,
        "desired_count": 4,
    }
    assert runbook.accept_inputs({"desired_count": " 6 ", "cpu_threshold": "72.5"})["desired_count"] == 6
    for given, message in [
        ({"desired_count": "12"}, "input desired_count: must be at most 10 (got '12')"),
        ({"desired_count": "four"}, "input desired_count: input should be a valid integer"),
        ({"service": "shop-management-db"}, "input service: must be one of shop-management-api, shop-management-"),
        ({"replicas": "3"}, "unknown input replicas (this runbook's inputs: cluster, service, window_minutes"),
    ]:
        with pytest.raises(InputError) as caught:
            runbook.accept_inputs(given)
        assert str(caught.value).startswith(message), caught.value


def test_a_list_input_takes_comma_separated_integers() -> None:
    runbook = find_runbook("db-connections")
    assert runbook.accept_inputs({"terminate_pids": "4312, 4313,4399"})["terminate_pids"] == (4312, 4313, 4399)
    with pytest.raises(InputError, match="at most 20 items"):
        runbook.accept_inputs({"terminate_pids": ",".join(map(str, range(1, 22)))})


@pytest.mark.parametrize(
    ("risk", "phrase", "accepted", "refused"),
    [
        (Risk.LOW, None, ["y", "Y", "yes", " yes "], ["", "n", "no", "ok"]),
        (Risk.MEDIUM, None, ["yes", "YES"], ["y", "", "no"]),
        (Risk.HIGH, "shop-management-aurora", ["shop-management-aurora"], ["yes", "y", "shop-management", ""]),
    ],
)
def test_the_confirmation_matches_the_risk(
    risk: Risk, phrase: str | None, accepted: list[str], refused: list[str]
) -> None:
    assert all(risk.accepts(answer, phrase) for answer in accepted)
    assert not any(risk.accepts(answer, phrase) for answer in refused)
