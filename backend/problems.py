"""RFC 9457 problem details: every error the API answers is `application/problem+json`.

Routes raise `Problem(status, detail=…)`; HTTP errors from routing (404, 405) and validation errors (422) get
the same shape from the handlers installed here, unexpected exceptions (500) from `middleware.RequestContext`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

MEDIA_TYPE = "application/problem+json"
# Problem types this API defines; others are "about:blank" (the status code says it all, RFC 9457 §4.2.1).
TYPE_PREFIX = "urn:shop-api:problem:"


class FieldError(BaseModel):
    """One invalid input: where it is (`location` body/query/path/header, `pointer` a JSON Pointer into it)."""

    location: str
    pointer: str
    detail: str


class ProblemDetails(BaseModel):
    model_config = ConfigDict(extra="allow")  # problem types may add members (e.g. the current entity on 409)

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] | None = None


class Problem(StarletteHTTPException):
    """Raise to answer with a problem. `type_` is a slug under TYPE_PREFIX; extra keyword members are added
    to the body as RFC 9457 extension members. An HTTPException, so FastAPI lets it through where it wraps
    other errors (reading the body, dependencies)."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        title: str | None = None,
        type_: str | None = None,
        errors: Sequence[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ):
        title = title or HTTPStatus(status).phrase
        super().__init__(status, detail or title, dict(headers or {}))
        self.details = ProblemDetails(
            type=TYPE_PREFIX + type_ if type_ else "about:blank",
            title=title,
            status=status,
            detail=detail,
            errors=list(errors) if errors is not None else None,
            **jsonable_encoder(extensions),
        )

    def response(self) -> JSONResponse:
        body = self.details.model_dump(mode="json", exclude_none=True)
        return JSONResponse(body, status_code=self.status_code, headers=self.headers, media_type=MEDIA_TYPE)


# Documented on every route, so the OpenAPI document says what error bodies look like.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {
        "description": description,
        "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}},
    }
    for code, description in (("4XX", "Client error (problem details)"), ("5XX", "Server error (problem details)"))
}


def field_errors(errors: Sequence[Any], location: str | None = None) -> list[FieldError]:
    """Pydantic's errors as field errors. `location` is where the validated value came from, when the errors'
    own locations do not start with it (FastAPI's do: ("body", "lines", 0, …))."""
    found = []
    for error in errors:
        parts = [str(part) for part in error.get("loc", ())]
        where, *path = [location, *parts] if location else parts or ["body"]
        pointer = "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in path)
        detail = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        found.append(FieldError(location=where, pointer=pointer, detail=detail))
    return found


def validation_problem(errors: Sequence[Any], location: str | None = None) -> Problem:
    """The 422 answered for invalid input, with one field error per problem found (the first few also in the
    detail, which is what a queue's dead letter shows)."""
    found = field_errors(errors, location)
    summary = "; ".join(f"{error.pointer or error.location}: {error.detail}" for error in found[:3])
    return Problem(422, f"The request is not valid: {summary}", type_="validation", errors=found)


def install(app: FastAPI) -> None:
    """Answer every error of `app` with problem details, and publish the ProblemDetails schema."""

    async def on_problem(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return exc.response()

    async def on_http_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        phrase = HTTPStatus(exc.status_code).phrase
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else None
        return Problem(exc.status_code, detail, headers=exc.headers).response()

    async def on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return validation_problem(exc.errors()).response()

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)

    build_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build_openapi()
            definitions = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.update(definitions.pop("$defs", {}))
            components["ProblemDetails"] = definitions
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
