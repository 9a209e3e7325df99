"""Property-based API tests: schemathesis generates requests from a real shop-api's own /openapi.json (valid
ones, and in negative mode invalid ones) and checks every answer: never a 5xx, a documented status code and
content type, a body that matches the documented schema, invalid input rejected, and no access without a token.

Requests carry a valid token: the admin role's for /v1/admin/*, the manager's for everything else (the role that
may call the most of the other routes). Runs on both databases; at least MIN_CASES cases each.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup
from shop_api_testkit import Cognito, ShopApiProcess
from shop_data_testkit import persona_tokens

pytestmark = pytest.mark.timeout(120)

MIN_CASES = 500
# Spread over the operations and both modes; operations with few possible inputs run out early.
CASE_BUDGET = 700
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    ignored_auth,
]

# We send the token ourselves: it is no generated parameter. Unknown query parameters are ignored, as HTTP APIs
# do, so an extra one is no invalid request (unknown body members are refused: every body model forbids them).
GENERATION = {"allow-extra-parameters": False, "with-security-parameters": False}
# The database-session routes answer 501 on SQLite by design (documented): not a server error there. On
# PostgreSQL before 17, VACUUM through the maintenance route answers 501 too (documented: no MAINTAIN privilege).
CONFIG = {
    "postgresql": {
        "generation": GENERATION,
        "operations": [
            {
                "include-path-regex": "^/v1/admin/db/maintenance$",
                "checks": {"not_a_server_error": {"expected-statuses": ["2XX", "3XX", "4XX", "501"]}},
            }
        ],
    },
    "sqlite": {
        "generation": GENERATION,
        "operations": [
            {
                "include-path-regex": "^/v1/admin/db/",
                "checks": {"not_a_server_error": {"expected-statuses": ["2XX", "3XX", "4XX", "501"]}},
            }
        ],
    },
}


def test_generated_requests(
    shop_api: ShopApiProcess, cognito: Cognito, record_property: Callable[[str, object], None]
) -> None:
    tokens = persona_tokens(cognito)
    config = schemathesis.Config.from_dict(CONFIG[shop_api.ready["database"]])
    schema = schemathesis.openapi.from_url(f"{shop_api.url}/openapi.json", config=config)
    operations = [result.ok() for result in schema.get_all_operations()]
    per_run = math.ceil(CASE_BUDGET / (2 * len(operations)))
    cases = 0
    failures: list[str] = []
    with requests.Session() as session:
        for operation in operations:
            persona = "cg.admin" if operation.path.startswith("/v1/admin/") else "cg.manager"
            headers = {"Authorization": f"Bearer {tokens[persona]}"}
            # Negative mode needs an input to spoil: a route without parameters or body has none.
            has_inputs = bool(operation.body) or any(True for _ in operation.iter_parameters())
            for mode in GenerationMode if has_inputs else [GenerationMode.POSITIVE]:
                try:
                    cases += exercise(operation, mode, per_run, shop_api.url, session, headers)
                except (Exception, FailureGroup) as exc:  # every operation runs; all failures are reported together
                    failures.append(f"{operation.label} ({mode.value}): {exc}")
    print(f"schemathesis: {cases} cases over {len(operations)} operations on {shop_api.ready['database']}")
    record_property("schemathesis_cases", cases)
    assert not failures, "\n\n".join(failures)
    assert cases >= MIN_CASES


def exercise(
    operation: schemathesis.APIOperation,
    mode: GenerationMode,
    max_examples: int,
    base_url: str,
    session: requests.Session,
    headers: dict[str, str],
) -> int:
    """Hypothesis calls the API with up to `max_examples` cases of `operation` (fewer when it has no more to try),
    validating each answer; returns how many it ran."""
    calls = 0

    @hypothesis.settings(
        max_examples=max_examples,
        deadline=None,
        database=None,  # no example store in the working tree; every run explores afresh
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy(mode))
    def call(case: schemathesis.Case) -> None:
        nonlocal calls
        calls += 1
        case.call_and_validate(base_url=base_url, session=session, headers=headers, checks=CHECKS)

    call()
    return calls
