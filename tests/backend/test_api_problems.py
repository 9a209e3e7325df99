"""Errors are RFC 9457 problem+json, whatever raised them; request ids; the body size cap; the OpenAPI document.

The app is the real one from `create_app`, served by uvicorn on a free port, with a few extra routes that
fail on purpose (routes of the HTTP contract come later and will fail the same ways).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import httpx
import pytest
from fastapi import Query
from pydantic import BaseModel, Field

from backend.app import create_app
from backend.middleware import MAX_BODY_BYTES
from backend.problems import Problem
from backend.server import running_in_thread
from backend.settings import Settings

PROBLEM = "application/problem+json"


class Line(BaseModel):
    product_id: str
    quantity: int = Field(gt=0)


class Order(BaseModel):
    id: str
    lines: list[Line]


@pytest.fixture(scope="module")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("problems") / "shop-api.db"
    app = create_app(Settings(database_url=f"sqlite:///{database}", user_pool_id="us-east-1_unused", client_id="x"))

    @app.post("/test/orders")
    def create_order(order: Order, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Order:
        return order

    @app.get("/test/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    @app.get("/test/conflict")
    def conflict() -> None:
        raise Problem(409, "The product changed.", type_="version-conflict", current={"id": "p1", "version": 3})

    with running_in_thread(app) as url:
        yield url


def problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"]
    return body


def test_validation_errors_name_each_field(api_url: str) -> None:
    body = {"id": "o1", "lines": [{"product_id": "p1", "quantity": 0}]}
    response = httpx.post(f"{api_url}/test/orders", params={"limit": 0}, json=body)
    details = problem(response, 422)
    assert details["type"] == "urn:shop-api:problem:validation"
    where = {(e["location"], e["pointer"]) for e in details["errors"]}
    assert where == {("body", "/lines/0/quantity"), ("query", "/limit")}
    assert all(e["detail"] for e in details["errors"])


def test_malformed_json_is_a_problem_too(api_url: str) -> None:
    response = httpx.post(f"{api_url}/test/orders", content=b"{not json", headers={"content-type": "application/json"})
    problem(response, 422)


def test_valid_request_passes(api_url: str) -> None:
    body = {"id": "o1", "lines": [{"product_id": "p1", "quantity": 2}]}
    assert httpx.post(f"{api_url}/test/orders", json=body).json() == body


@pytest.mark.parametrize(("method", "path", "status"), [("GET", "/nowhere", 404), ("DELETE", "/v1/health", 405)])
def test_routing_errors(api_url: str, method: str, path: str, status: int) -> None:
    response = httpx.request(method, f"{api_url}{path}")
    problem(response, status)
    if status == 405:
        assert response.headers["allow"] == "GET"


def test_problem_extension_members(api_url: str) -> None:
    details = problem(httpx.get(f"{api_url}/test/conflict"), 409)
    assert details["type"] == "urn:shop-api:problem:version-conflict"
    assert details["detail"] == "The product changed."
    assert details["current"] == {"id": "p1", "version": 3}


def test_unexpected_exception_is_a_500_problem_without_internals(api_url: str) -> None:
    response = httpx.get(f"{api_url}/test/boom", headers={"X-Request-ID": "trace-me"})
    details = problem(response, 500)
    assert "a bug" not in response.text and "Traceback" not in response.text
    assert response.headers["X-Request-ID"] == "trace-me"
    assert set(details) == {"type", "title", "status", "detail"}


def test_body_over_1_mib_with_content_length_is_413(api_url: str) -> None:
    response = httpx.post(f"{api_url}/test/orders", content=b"x" * (MAX_BODY_BYTES + 1))
    problem(response, 413)


def test_chunked_body_over_1_mib_is_413(api_url: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"id": "o1", "lines": [], "pad": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}'

    response = httpx.post(f"{api_url}/test/orders", content=chunks(), headers={"content-type": "application/json"})
    problem(response, 413)


def test_body_of_exactly_1_mib_is_read(api_url: str) -> None:
    prefix, suffix = b'{"id": "o1", "lines": [], "pad": "', b'"}'
    body = prefix + b"x" * (MAX_BODY_BYTES - len(prefix) - len(suffix)) + suffix
    response = httpx.post(f"{api_url}/test/orders", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("given", "echoed"), [("abc-123.X:y_z", True), ("", False), ("has spaces", False), ("x" * 129, False)]
)
def test_request_id_echoed_or_made(api_url: str, given: str, echoed: bool) -> None:
    response = httpx.get(f"{api_url}/v1/health", headers={"X-Request-ID": given} if given else {})
    if echoed:
        assert response.headers["X-Request-ID"] == given
    else:
        assert len(response.headers["X-Request-ID"]) == 32


def test_openapi_documents_problem_responses(api_url: str) -> None:
    schema = httpx.get(f"{api_url}/openapi.json").json()
    assert "ProblemDetails" in schema["components"]["schemas"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    me = schema["paths"]["/v1/me"]["get"]
    assert "application/problem+json" in me["responses"]["4XX"]["content"]
    assert me["security"] == [{"HTTPBearer": []}]
    assert "/v1/health" in schema["paths"]
