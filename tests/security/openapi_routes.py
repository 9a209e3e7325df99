"""The routes a running shop-api serves, read from its own /openapi.json, so that a suite built on them covers a
new route without being told: each operation with a concrete path (path parameters filled with values of their
documented type) and whether it asks for a bearer token."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

_PARAMETER = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # as /openapi.json names it
    parameters: dict[str, dict[str, Any]]  # path parameter → its schema
    secured: bool
    has_body: bool

    def __str__(self) -> str:
        return f"{self.method} {self.template}"

    def path(self, values: dict[str, str] | None = None) -> str:
        """The template with `values` put in, and a stand-in of the documented type for any other parameter."""
        given = values or {}
        return _PARAMETER.sub(lambda m: given.get(m[1]) or _stand_in(self.parameters.get(m[1], {})), self.template)


def _stand_in(schema: dict[str, Any]) -> str:
    if schema.get("type") == "integer":
        return str(2**31 - 1)
    return str(uuid.uuid4())


def served_routes(base_url: str) -> list[Route]:
    document = httpx.get(f"{base_url}/openapi.json", timeout=10).json()
    routes = []
    for template, operations in document["paths"].items():
        for method, operation in operations.items():
            parameters = {p["name"]: p.get("schema", {}) for p in operation.get("parameters", []) if p["in"] == "path"}
            secured = bool(operation.get("security", document.get("security")))
            routes.append(Route(method.upper(), template, parameters, secured, "requestBody" in operation))
    return routes
