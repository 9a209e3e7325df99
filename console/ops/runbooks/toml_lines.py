"""Where a key of a TOML document is: the line of each table header and key, so a validation error of a runbook
can name its line. tomllib gives values only; this scans the text the way the runbook files are written (headers,
`[[arrays]]` of tables, `key = value`, inline tables on one line, multi-line strings)."""

from __future__ import annotations

import re
from collections.abc import Sequence

Path = tuple[str | int, ...]

_KEY_PART = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED_KEY = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_ARRAY_HEADER = re.compile(rf"^\[\[\s*({_DOTTED_KEY})\s*\]\]")
_TABLE_HEADER = re.compile(rf"^\[\s*({_DOTTED_KEY})\s*\]")
_ASSIGNMENT = re.compile(rf"^({_DOTTED_KEY})\s*=\s*(.*)$")
_INLINE_KEY = re.compile(rf"[{{,]\s*({_DOTTED_KEY})\s*=")
_MULTILINE = ('"""', "'''")


class KeyLines:
    def __init__(self, text: str) -> None:
        self._lines: dict[Path, int] = {}
        self._arrays: dict[Path, int] = {}  # array-of-tables path → index of its last element
        self._scan(text)

    def line_of(self, loc: Sequence[str | int]) -> tuple[int | None, Path]:
        """The line of the deepest known key along `loc`, and the path that was found. Parts that are no key
        (pydantic's union tags) are passed over."""
        found: Path = ()
        line = None
        for part in loc:
            candidate = (*found, part)
            if candidate in self._lines:
                found, line = candidate, self._lines[candidate]
        return line, found

    def _scan(self, text: str) -> None:
        table: Path = ()
        open_string: str | None = None
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if open_string:
                if line.count(open_string) % 2 == 1:
                    open_string = None
                continue
            if not line or line.startswith("#"):
                continue
            if match := _ARRAY_HEADER.match(line):
                keys = _split(match[1])
                array = (*self._resolve(keys[:-1]), keys[-1])
                index = self._arrays.get(array, -1) + 1
                self._arrays[array] = index
                self._lines.setdefault(array, number)
                table = (*array, index)
                self._lines[table] = number
            elif match := _TABLE_HEADER.match(line):
                table = self._resolve(_split(match[1]))
                for end in range(1, len(table) + 1):  # [inputs.count] also places `inputs`
                    self._lines.setdefault(table[:end], number)
            elif match := _ASSIGNMENT.match(line):
                key = (*table, *_split(match[1]))
                self._lines.setdefault(key, number)
                value = match[2]
                if value.startswith("{"):
                    for inner in _INLINE_KEY.finditer(value):
                        self._lines.setdefault((*key, *_split(inner[1])), number)
                open_string = next((q for q in _MULTILINE if value.startswith(q) and value.count(q) % 2 == 1), None)

    def _resolve(self, keys: Path) -> Path:
        """A header's path with the current element of each array of tables it passes through."""
        path: Path = ()
        for key in keys:
            path = (*path, key)
            if path in self._arrays:
                path = (*path, self._arrays[path])
        return path


def _split(dotted: str) -> Path:
    parts = re.findall(_KEY_PART, dotted)
    return tuple(part[1:-1] if part[:1] in "\"'" else part for part in parts)
