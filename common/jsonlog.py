"""JSON-lines logging in the operations guide's logger format, with secrets redacted.

Each record is one JSON object: timestamp, level, service, environment, version, message, then the record's
fields flattened beside them (as winston's metadata is), so a Logs Insights query can filter on `duration`.
Pass fields with ``logger.info("msg", extra={"fields": {...}})``.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REDACTED = "[REDACTED]"

# Keys whose values are secrets wherever they appear, in any case and with any prefix ("refresh_token").
_SECRET_KEY = re.compile(r"(pass(word|wd)?|secret|token|authorization|cookie|session|srp_a|signature)", re.I)
# JWTs (three base64url parts, the first two JSON) and bearer credentials inside free text.
_JWT = re.compile(r"eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*")
_BEARER = re.compile(r"(?i)(bearer\s+)[\w.~+/=-]+")
# The key may be quoted, as in JSON or a repr'd dict that a library logs whole ("RefreshToken": "…", even
# with its quotes escaped inside a JSON string), or bare as in a query string.
_KEY_VALUE = re.compile(
    r"""(?i)\b([\w-]*(?:password|secret|token)[\w-]*)(\\?["']?\s*[=:]\s*)(\\?"[^"\\]*\\?"|'[^']*'|\S+)"""
)

# Record attributes that are not fields; uvicorn's `color_message` repeats the message with ANSI escapes.
_RESERVED = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "fields", "taskName", "color_message"}


# What each pattern above cannot match without: a linear scan for it first spares most text the patterns
# themselves (_KEY_VALUE backtracks at every position, some 50 µs for a bare UUID, and every logged write has many).
# It scans the casefolded text, case-sensitively: a third of the time of re.I, and casefold() maps every letter
# that re.I lets match these ASCII ones (the long s, the Kelvin sign) to it.
_MAY_HOLD_SECRET = re.compile(r"eyj|bearer|password|secret|token")
# One encoder for every line (json.dumps with options builds a new one per call).
_ENCODER = json.JSONEncoder(default=str, ensure_ascii=False)


def redact_text(text: str) -> str:
    """Mask JWTs, bearer credentials and `password=…`-style pairs in free text."""
    if not _MAY_HOLD_SECRET.search(text.casefold()):
        return text
    text = _JWT.sub(REDACTED, text)
    text = _BEARER.sub(lambda m: m.group(1) + REDACTED, text)
    return _KEY_VALUE.sub(lambda m: m.group(1) + m.group(2) + REDACTED, text)


def redact(value: Any, key: str = "") -> Any:
    """Redact a value for logging: secret-named keys are masked whole, text is scanned, containers recursed."""
    if key and _is_secret_key(key) and value not in (None, "", [], {}):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if value is None or isinstance(value, bool | int | float):  # before Mapping: an ABC's check is slow
        return value
    if isinstance(value, Mapping):
        return {str(k): redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact(v) for v in value]
    return redact_text(str(value))


@functools.lru_cache(maxsize=1024)
def _is_secret_key(key: str) -> bool:
    """Whether a key names a secret; cached, as the same few field names come in every record."""
    return _SECRET_KEY.search(key) is not None


class JsonLinesFormatter(logging.Formatter):
    """Formats a record as one JSON line with the service's static fields and the record's own fields."""

    def __init__(self, service: str, environment: str, version: str, static: Mapping[str, Any] | None = None):
        super().__init__()
        self.static: dict[str, Any] = {"service": service, "environment": environment, "version": version}
        self.static.update(static or {})

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {}
        given = getattr(record, "fields", None)
        if isinstance(given, Mapping):
            fields.update(given)
        # `extra={...}` keys that are not standard record attributes count as fields too.
        fields.update({k: v for k, v in vars(record).items() if k not in _RESERVED and not k.startswith("_")})
        # The fixed keys come last so that no field can pass itself off as the service, version or message.
        entry: dict[str, Any] = {
            **fields,
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            **self.static,
            "message": record.getMessage(),
            "logger": record.name,
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return _ENCODER.encode(redact(entry))


def configure(
    service: str,
    environment: str,
    version: str,
    path: Path | None,
    level: int = logging.INFO,
    static: Mapping[str, Any] | None = None,
) -> logging.Handler:
    """Send the root logger's records, as JSON lines, to `path` (or to stderr when None). Returns the handler."""
    handler: logging.Handler
    if path is None:
        handler = logging.StreamHandler()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(JsonLinesFormatter(service, environment, version, static))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level)
    return handler
