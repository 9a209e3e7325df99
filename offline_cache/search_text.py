"""Turn whatever a person types into safe search terms and an FTS5 prefix query.

Only runs of letters and digits survive; each becomes a quoted prefix term (`"coca"*`), so quotes, operators
(AND, OR, NOT, NEAR, `-`, `^`, `:`, parentheses) and stray unicode never reach FTS5's query parser as syntax.
Terms are ANDed: "cola 330" finds products with words starting with both.
"""

from __future__ import annotations

import re
import unicodedata

MAX_TERMS = 8
MAX_TERM_LENGTH = 48
# One-letter prefixes match most of a catalogue; FTS5 would merge the doclists of every word starting with the
# letter. They are checked on the few candidates the longer terms found instead (see `words_start_with`).
MIN_INDEXED_TERM = 2

# Letters and digits only (`\w` without the underscore): what FTS5's unicode61 tokenizer treats as word
# characters too. Everything else separates terms.
_TERM = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower case without accents, as the FTS index (unicode61 remove_diacritics 2) compares words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def terms(text: str) -> list[str]:
    return [term[:MAX_TERM_LENGTH] for term in _TERM.findall(unicodedata.normalize("NFKC", text))[:MAX_TERMS]]


def prefix_query(words: list[str]) -> str | None:
    """The FTS5 MATCH expression ANDing the given terms as prefixes, or None when there are none."""
    return " ".join(f'"{word}"*' for word in words) or None


def words_start_with(text: str, prefixes: list[str]) -> bool:
    """True when every prefix starts some word of `text` (accent- and case-insensitive)."""
    words = _TERM.findall(fold(text))
    return all(any(word.startswith(prefix) for word in words) for prefix in map(fold, prefixes))
