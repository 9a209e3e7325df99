"""What libraries log at DEBUG passes the console's formatter redacted: botocore prints Cognito's answers and
requests whole ("RefreshToken": "…" in a JSON body, 'REFRESH_TOKEN': '…' in a dict), and none of it may reach the
log file. (Found by test_secrets_at_rest.py: the refresh token, an opaque string in a quoted JSON key, got through.)
tests/console/test_logs.py covers the formatter's own fields and free-text rules."""

from __future__ import annotations

import json
import logging

import pytest

from common.jsonlog import REDACTED, JsonLinesFormatter

SECRET = "8d948746-9dbc-4b59-b23f-9714220e2896"
LINES = {
    "botocore response body": 'Response body:\nb\'{"AuthenticationResult": {"RefreshToken": "%s"}}\'',
    "botocore request params": "Making request with params: {'AuthParameters': {'REFRESH_TOKEN': '%s'}}",
    "JSON inside a JSON string": '{\\"refresh_token\\": \\"%s\\"}',
    "form body": "password=%s&username=bob",
    "header dump": "{'Authorization': 'Bearer %s'}",
    "spaced": "session token : %s",
}


@pytest.mark.parametrize("case", sorted(LINES))
def test_secrets_in_library_debug_lines_are_redacted(case: str) -> None:
    record = logging.makeLogRecord({"msg": LINES[case] % SECRET, "levelno": logging.DEBUG, "levelname": "DEBUG"})
    line = JsonLinesFormatter("shop-console", "test", "0").format(record)
    assert SECRET not in line and REDACTED in json.loads(line)["message"]
