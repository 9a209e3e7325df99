"""/v1/sync: the console's queue pushes its ops here, and pulls the catalogue and stock changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from backend.auth import SELLERS, Principal, Readers, require_roles
from backend.dependencies import DbConnection, database
from backend.schemas.fields import Cursor
from backend.schemas.sync import MAX_CHANGES, ChangePage, PushRequest, PushResponse
from backend.services import changes, sync

router = APIRouter(prefix="/v1/sync", tags=["sync"])

# The push opens a transaction per op, so it takes no request transaction (see require_roles).
Pushers = Annotated[Principal, Depends(require_roles(*SELLERS, own_transactions=True))]


# response_model documents the answer; the route serializes it itself, once: FastAPI would validate the model it
# was given again (every op's body) before serializing it, a good part of a large push's CPU.
@router.post("/push", response_model=PushResponse)
def push(body: PushRequest, principal: Pushers, request: Request) -> Response:
    """Apply up to 500 ops in order, each on its own: a rejected op does not stop the ones after it."""
    response = sync.push(database(request), principal, body)
    return Response(response.model_dump_json(), media_type="application/json")


@router.get("/changes")
def list_changes(
    principal: Readers,
    conn: DbConnection,
    since: Annotated[Cursor | None, Query(description="next_cursor of the last page; empty for everything")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_CHANGES)] = 1000,
) -> ChangePage:
    """Products and stock changed after `since`, in commit order, each row once at its latest state."""
    return changes.read_changes(conn, principal.shop_id, changes.parse_since(since), limit)
