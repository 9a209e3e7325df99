"""A stateful schemathesis run against a real shop-api (SQLite and PostgreSQL): sequences of calls that feed
one answer's ids into the next call (links schemathesis infers from the schema: a created product is fetched,
patched, sold, refunded), each answer checked as in test_schemathesis.py (no 5xx, documented status, content
type and schema, invalid input refused). At least MIN_STEPS calls per database.

test_schemathesis.py sends single requests per operation (about 700 per database, positive and negative); this
adds what only sequences find: states the API reaches only after earlier calls."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis.errors import Flaky
from schemathesis.core.failures import FailureGroup
from shop_api_testkit import Cognito, ShopApiProcess
from shop_data_testkit import persona_tokens
from test_schemathesis import CHECKS, CONFIG

pytestmark = pytest.mark.timeout(240)

# Per database, so 2,000 stateful calls a run; each costs ~50-70 ms here (schemathesis builds every call from the
# last answers), so this is the suite's biggest item after the stateless run: SHOP_STATEFUL_CALLS raises it.
MIN_STEPS = int(os.environ.get("SHOP_STATEFUL_CALLS", "1000"))
SCENARIOS, STEPS_PER_SCENARIO = 60, 25


def test_call_sequences_never_fail_the_contract(
    shop_api: ShopApiProcess, cognito: Cognito, record_property: Callable[[str, object], None]
) -> None:
    tokens = persona_tokens(cognito)
    database = shop_api.ready["database"]
    schema = schemathesis.openapi.from_url(
        f"{shop_api.url}/openapi.json", config=schemathesis.Config.from_dict(CONFIG[database])
    )
    steps: dict[str, int] = {}
    failures: list[str] = []
    session = requests.Session()

    class Sequences(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            persona = "cg.admin" if case.path.startswith("/v1/admin/") else "cg.manager"
            return {
                "base_url": shop_api.url,
                "session": session,
                "headers": {"Authorization": f"Bearer {tokens[persona]}"},
            }

        def validate_response(
            self, response: Any, case: schemathesis.Case, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            steps[case.operation.label] = steps.get(case.operation.label, 0) + 1
            try:
                case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)
            except (AssertionError, FailureGroup) as exc:  # kept, not raised: see the settings below
                failures.append(f"{case.operation.label} {case.path_parameters} {case.body!r:.300}: {exc}")

    settings = hypothesis.settings(
        max_examples=SCENARIOS,
        stateful_step_count=STEPS_PER_SCENARIO,
        deadline=None,
        database=None,
        # Failures are collected rather than raised, and nothing is shrunk: Hypothesis would replay the sequence
        # against a server whose state has moved on, and take that for a flaky strategy.
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    with session:
        while sum(steps.values()) < MIN_STEPS:
            # When the server's state steers generation off its recorded path Hypothesis calls it flaky: that
            # suite ends there, as in schemathesis's own runner, and the next starts (every call was checked).
            with contextlib.suppress(Flaky):
                Sequences.run(settings=settings)
    total = sum(steps.values())
    print(f"schemathesis stateful: {total} calls over {len(steps)} operations on {database}")
    record_property("schemathesis_stateful_calls", total)
    assert not failures, "\n\n".join(failures[:20])
    assert len(steps) >= 10, steps  # the sequences reach most operations, not one corner of the API
