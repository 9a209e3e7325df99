"""ASGI middleware: a request id and access log line per request, a last-resort 500 problem, a body size cap."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar
from time import perf_counter

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.problems import Problem

log = logging.getLogger("backend.access")

REQUEST_ID_HEADER = "X-Request-ID"
MAX_BODY_BYTES = 1024 * 1024

# The id of the request being handled, for log records (see RequestIdLogFilter).
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# A caller's id is echoed only if it is harmless in a header and a log line; otherwise a new one is made.
_ACCEPTABLE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id` to every record logged while a request is handled (threadpool code included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = request_id.get()
        if current is not None and not hasattr(record, "request_id"):
            record.request_id = current
        return True


class RequestContext:
    """Per HTTP request: the X-Request-ID (the caller's, or a new one) on the response and on every log record,
    one access log line (with the user and shop once authenticated), and a 500 problem for any exception that
    nothing else answered, so even that is problem+json with the request id."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get(REQUEST_ID_HEADER)
        rid = given if given and _ACCEPTABLE_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        state = scope.setdefault("state", {})
        state["request_id"] = rid
        status = 500
        started = perf_counter()
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, rid)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error", extra={"method": scope["method"], "path": scope["path"]})
            if response_started:
                raise
            await Problem(500, "The server failed to handle the request.").response()(scope, receive, send_with_id)
        finally:
            fields = {
                "event": "http_request",
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "duration_ms": round((perf_counter() - started) * 1000, 1),
            }
            if principal := state.get("principal"):
                fields |= {"user": principal.sub, "shop": principal.shop_id, "role": principal.role.value}
            log.log(logging.ERROR if status >= 500 else logging.INFO, "request", extra=fields)
            request_id.reset(token)


class BodySizeLimit:
    """Answers 413 problem+json to a request body over `max_bytes`: at once when Content-Length says so,
    else as soon as the body read so far passes the limit (chunked uploads)."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES):
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> Problem:
        return Problem(413, f"The request body is larger than {self.max_bytes} bytes.")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large().response()(scope, receive, send)
            return
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._too_large()  # an HTTPException: the app's problem handler answers it
            return message

        await self.app(scope, receive_within_limit, send)
