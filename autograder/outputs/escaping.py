"""Text a student controls (names, messages, file names), made safe where it is written.

- a CSV cell that a spreadsheet would read as a formula (=, +, -, @, a tab or a carriage
  return first) gets a leading apostrophe, as OWASP recommends; numbers stay numbers;
- Markdown (summary.md) gets no HTML, no line breaks and no table breaks: `<`, `>` and
  `&` as entities, the characters Markdown acts on behind a backslash;
- a terminal gets no control character: each is written as its escape.
"""

import html
import re
import unicodedata

_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def csv_cell(value) -> str:
    text = str(value)
    if text.startswith(_FORMULA):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def markdown_text(value, limit: int = 300) -> str:
    text = terminal_text(" ".join(str(value).split()))[:limit]
    return _MARKDOWN.sub(r"\\\1", html.escape(text, quote=False))


def terminal_text(value) -> str:
    return "".join(repr(ch)[1:-1] if unicodedata.category(ch) in ("Cc", "Cf") and ch != " "
                    else ch for ch in str(value))
