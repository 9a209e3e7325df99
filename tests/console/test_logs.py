from __future__ import annotations

import json
import logging

from common.jsonlog import REDACTED, redact_text
from console import logs, paths

JWT = "eyJraWQiOiJkdW1teSJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl"


def read_lines() -> list[dict]:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return [json.loads(line) for line in paths.log_file().read_text().splitlines()]


def test_log_lines_have_the_guide_format_and_go_to_the_state_dir() -> None:
    path = logs.setup("demo", terminal="T1")
    logs.set_context(user="corner-cashier", shop="Corner Grocer")
    logging.getLogger("console.test").info("sale committed", extra={"fields": {"order_id": "o1", "duration": 12}})
    assert path == paths.log_file()
    [line] = read_lines()
    assert line["level"] == "info"
    assert line["service"] == "shop-console"
    assert line["environment"] == "demo"
    assert line["version"]
    assert line["timestamp"].endswith("+00:00")
    assert (line["message"], line["order_id"], line["duration"]) == ("sale committed", "o1", 12)
    assert (line["user"], line["shop"], line["terminal"]) == ("corner-cashier", "Corner Grocer", "T1")


def test_formatter_redacts_passwords_and_tokens() -> None:
    logs.setup("demo")
    log = logging.getLogger("console.test")
    log.info(
        "sign-in as bob password=hunter2 with Bearer abc.def.ghi and %s",
        JWT,
        extra={"fields": {"refresh_token": "r-secret", "password": "hunter2", "nested": {"AccessToken": JWT}}},
    )
    log.error("failed", extra={"fields": {"headers": {"Authorization": "Bearer xyz"}}})
    text = paths.log_file().read_text()
    for secret in ("hunter2", "r-secret", JWT, "abc.def.ghi", "xyz"):
        assert secret not in text
    first, second = read_lines()
    assert first["refresh_token"] == first["password"] == first["nested"]["AccessToken"] == REDACTED
    assert second["headers"]["Authorization"] == REDACTED


def test_redact_text_leaves_ordinary_text_alone() -> None:
    assert redact_text("3 items, total 12.50, receipt T1-20261129-7") == "3 items, total 12.50, receipt T1-20261129-7"


def test_fields_cannot_overwrite_the_fixed_keys_and_ansi_copies_are_dropped() -> None:
    logs.setup("demo")
    logging.getLogger("uvicorn").info("started", extra={"version": "evil", "color_message": "\x1b[32mstarted\x1b[0m"})
    [line] = read_lines()
    assert line["version"] != "evil" and "color_message" not in line
