"""The console: every line hub-plugin shows a person or a CI log goes through here (issue 26).

Text that comes from elsewhere (card fields, file names, URLs, hub names, server and git messages)
is *data*: it must never drive the terminal, the ``rich`` renderer, a GitHub annotation or the
Markdown of a job summary (issue 27, holes 1, 4, 8 and 11). This module is the one home of the
rules that make it so:

- :func:`safe_text`: control characters and invisible formatting characters shown visibly, in the
  one documented form of a Python string escape: ``\\x1b`` for ESC, ``\\x9b`` for the C1 CSI,
  ``\\x7f`` for DEL, ``\\u202e`` for a bidi override, ``\\u2028`` for a line separator, ``\\t``,
  ``\\r`` and ``\\n`` for tab, carriage return and newline (a newline is kept as it is in
  ``multiline`` text). The characters so shown are the Unicode categories Cc (C0, DEL, C1), Cf
  (format: bidi embeddings, overrides and isolates, zero-width characters, tags), Zl, Zp, and Cs
  (lone surrogates, which no terminal encoding can write). ESC being shown, no escape sequence
  (CSI, OSC, DCS, ...) can reach the terminal whole.
- :func:`markup_text`: :func:`safe_text`, then ``rich`` markup escaped (the rule of
  ``rich.markup.escape``), for text put into a ``rich`` string: ``[/]`` and ``[link=...]`` are
  shown as written. Consoles made here also have emoji codes (``:smile:``) turned off.
- :func:`redact`: the user-info of every URL (``https://user:PASS@host`` and a token alone in the
  user name) shown as ``***``, a ``user:PASS@host`` without a scheme (a proxy setting) too, and
  the values of query parameters that carry credentials (``token=``, ``X-Amz-Signature=``, ...).
- :func:`markdown_cell`: text for a cell of a GitHub-flavoured Markdown table (a step summary):
  HTML special characters as entities, Markdown punctuation backslash-escaped, one line.
- :func:`annotation_data` / :func:`annotation_property`: the escaping of GitHub's workflow
  commands (``::error file=...::message``), from GitHub's runner (``%``, CR, LF; in properties
  also ``:`` and ``,``), applied after :func:`safe_text`.

Printing: :func:`out` (stdout: the command's result), :func:`err` (stderr: notes, warnings),
:func:`error_line` (the one line ``hub-plugin: error: ...``), :func:`ask` (a yes/no question on
the terminal), :func:`rich_console` (a ``rich`` console for tables). Every one of them redacts.
Progress (bars and activities) is :mod:`hub_plugin.core.progress`.

``rich`` is imported only when a ``rich`` console is asked for, so start-up stays light.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.console import Console

#: The width of piped output: wide enough that no digest, path or name is ever folded (a table
#: without ``expand`` is only as wide as its contents, so this costs nothing).
PIPED_WIDTH = 4096

_SHOWN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _visible(char: str) -> str:
    short = _SHORT.get(char)
    if short is not None:
        return short
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _is_shown(char: str) -> bool:
    return unicodedata.category(char) in _SHOWN_CATEGORIES


def safe_text(text: object, *, multiline: bool = False) -> str:
    """``text`` (anything: it is made a ``str``) with every control or invisible formatting
    character shown as its Python escape (``\\x1b``, ``\\u202e``, ``\\n``); see the module's
    docstring for the exact set. With ``multiline``, newlines are kept as they are."""
    value = str(text)
    if value.isprintable():  # the common case: nothing to do (printable excludes every Cc/Cf/Z*)
        return value
    return "".join(
        char if (multiline and char == "\n") or not _is_shown(char) else _visible(char)
        for char in value
    )


# The rule of rich.markup.escape (rich 13): a "[" that starts something rich would read as a tag
# gets a backslash; backslashes already before it are doubled; a trailing backslash is doubled.
# Every "[" with the backslashes before it; a tag is what rich's own parser reads as one.
_BRACKET = re.compile(r"(\\*)\[")
_TAG_BODY = re.compile(r"[a-z#/@][^[]*?]")


def _escaped_bracket(match: re.Match[str]) -> str:
    """rich reads ``n`` backslashes before a tag as ``n // 2`` backslashes and, when ``n`` is odd,
    the tag as text; before any other ``[`` it drops one backslash. So a tag's backslashes are
    doubled and one added, and one is added before any other ``[`` that follows a backslash."""
    backslashes = match.group(1)
    if _TAG_BODY.match(match.string, match.end()):
        return f"{backslashes}{backslashes}\\["
    return f"{backslashes}\\[" if backslashes else "["


def escape_markup(text: str) -> str:
    """``text`` with ``rich`` markup escaped, so that a ``rich`` console prints it as written.

    As ``rich.markup.escape``, a single trailing backslash is doubled, so that a tag written right
    after the text is still read as a tag (and ``[/bold]`` never loses its opening): printed alone,
    such text shows that one backslash twice."""
    text = _BRACKET.sub(_escaped_bracket, text)
    if text.endswith("\\") and not text.endswith("\\\\"):
        text += "\\"
    return text


def markup_text(text: object, *, multiline: bool = False) -> str:
    """Untrusted ``text`` ready to be placed in a ``rich`` markup string: redacted, made safe
    (:func:`safe_text`) and markup-escaped (:func:`escape_markup`)."""
    return escape_markup(safe_text(redact(str(text)), multiline=multiline))


# scheme://userinfo@ : the user-info runs to the last "@" before the path (a password may hold "@").
_URL_USERINFO = re.compile(
    r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^\s/?#@]*(?:@[^\s/?#@]*)*)@"
)
# user:password@host without a scheme (how proxies are often written: user:PASS@proxy:3128); the
# host must look like one (a port, a dot or an IPv6 bracket), so that names like the cache's
# "hub:test@<commit>" are left alone.
_BARE_CREDENTIALS = re.compile(
    r"(?<![\w.+\-/:@%])[^\s/:@'\"<>()\[\]{},;=]+:[^\s/@'\"<>()\[\]{},;]+@"
    r"(?=\[|[\w\-]+(?:\.[\w\-]+)*:\d|[\w\-]+(?:\.[\w\-]+)+)"
)
_SECRET_QUERY = re.compile(
    r"(?i)([?&](?:access_token|token|auth|password|passwd|secret|api_key|apikey|key|sig|signature"
    r"|x-amz-signature|x-amz-credential|x-amz-security-token)=)[^&#\s'\"]+"
)


def redact(text: str) -> str:
    """``text`` with every credential it shows replaced by ``***``: the user-info of URLs (a
    password, or a token given as the user name: ``https://***@host/...``), ``user:PASS@host``
    written without a scheme, and credential-carrying query parameters (``?token=***``)."""
    if "@" not in text and "=" not in text:
        return text
    text = _URL_USERINFO.sub(lambda match: f"{match.group('scheme')}***@", text)
    text = _BARE_CREDENTIALS.sub("***@", text)
    return _SECRET_QUERY.sub(lambda match: f"{match.group(1)}***", text)


def shown(text: object, *, multiline: bool = False) -> str:
    """Untrusted text for a plain (non-``rich``) line: redacted and made safe."""
    return safe_text(redact(str(text)), multiline=multiline)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~!])")


def markdown_cell(text: object) -> str:
    """Untrusted ``text`` for a cell of a GitHub-flavoured Markdown table (a step summary): one
    line, made safe and redacted, ``&``, ``<``, ``>`` and ``"`` as HTML entities (no tag, comment
    or entity of the input is live) and Markdown punctuation (backticks, ``|``, ``*``, ``[``, ...)
    backslash-escaped, so it reads as written and cannot end the table cell."""
    value = " ".join(shown(text, multiline=True).split())
    value = _MARKDOWN_SPECIAL.sub(r"\\\1", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def markdown_code(text: object) -> str:
    """Untrusted ``text`` as a code span in a cell of a Markdown table (a path, a rule): one line,
    made safe and redacted, inside a run of backticks longer than any in the text (CommonMark's
    rule for code spans: nothing inside is live, HTML included) with ``|`` escaped (GFM tables)."""
    value = " ".join(shown(text, multiline=True).split()).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall("`+", value)), default=0) + 1)
    if value.startswith("`") or value.endswith("`"):
        value = f" {value} "
    return f"{fence}{value}{fence}"


def annotation_data(text: object) -> str:
    """The message of a GitHub workflow command (``::error ...::MESSAGE``): made safe (newlines
    kept, as GitHub shows them) and escaped as the runner expects (``%25``, ``%0D``, ``%0A``)."""
    value = shown(text, multiline=True)
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def annotation_property(text: object) -> str:
    """A property of a GitHub workflow command (``file=``, ``title=``): as
    :func:`annotation_data`, with ``:`` and ``,`` escaped too (``%3A``, ``%2C``)."""
    return annotation_data(text).replace(":", "%3A").replace(",", "%2C")


def _write(stream: TextIO, line: str, end: str, flush: bool) -> None:
    stream.write(line + end)
    if flush:
        stream.flush()


def out(line: str = "", *, end: str = "\n", flush: bool = False) -> None:
    """Print a line of the command's result on stdout. ``line`` is hub-plugin's own text with any
    untrusted part already passed through :func:`shown`; credentials are redacted here anyway.
    For data formats (JSON, SARIF) use :func:`out_data`, which writes the text exactly."""
    _write(sys.stdout, redact(line), end, flush)


def out_data(text: str, *, flush: bool = False) -> None:
    """Print a data format (JSON, SARIF) on stdout exactly as given: its own escaping applies."""
    _write(sys.stdout, text, "\n", flush)


def err(line: str, *, end: str = "\n", flush: bool = True) -> None:
    """Print a line on stderr (a note, a warning, a message relayed from git or zoo code): redacted,
    and made safe except for its newlines."""
    _write(sys.stderr, shown(line, multiline=True), end, flush)


def progress_line(line: str, stream: TextIO | None = None) -> None:
    """One line of progress off a terminal (:class:`.progress.Activity` in a pipe or a log):
    ``hub-plugin: LINE`` on ``stream`` (stderr), made safe on one line and flushed, so that a
    pipe sees each phase as it starts and ends."""
    _write(stream or sys.stderr, shown(f"hub-plugin: {line}"), "\n", True)


def error_line(message: object, *, kind: str = "error") -> None:
    """The one line that ends a failed command: ``hub-plugin: error: MESSAGE`` on stderr, the
    message redacted and made safe (the hint on its own line, as errors format it)."""
    err(f"hub-plugin: {kind}: {message}")


def ask(question: str, *, stdin: TextIO | None = None) -> bool:
    """Ask ``question`` on the terminal (stderr) with ``[y/N]``; True for ``y`` or ``yes``.
    Every untrusted part of ``question`` must already have passed through :func:`shown`; the
    question is made safe again here, its newlines kept."""
    err(question + " [y/N] ", end="")
    return (stdin or sys.stdin).readline().strip().lower() in ("y", "yes")


def rich_console(*, stderr: bool = False, file: TextIO | None = None, piped_width: int | None = None,
                 **options: Any) -> Console:
    """A ``rich`` console on stdout (or stderr, or ``file``) with emoji codes off; not on a
    terminal, ``piped_width`` columns wide (:data:`PIPED_WIDTH` when given as 0). Untrusted text
    in what it prints must pass through :func:`markup_text` (or be a ``rich`` ``Text``)."""
    from rich.console import Console

    console = Console(stderr=stderr, file=file, emoji=False, **options)
    if piped_width is not None and not console.is_terminal:
        console = Console(stderr=stderr, file=file, emoji=False, width=piped_width or PIPED_WIDTH,
                          **options)
    return console


def table_console(*, stderr: bool = False) -> Console:
    """A console for tables; piped output is never wrapped (rich would fold at 80 columns), so
    that identifiers stay whole and on one line in logs, CI output and ``grep``."""
    return rich_console(stderr=stderr, soft_wrap=False, piped_width=PIPED_WIDTH)



def human_size(size: int) -> str:
    """A byte count as a person reads it: ``12 B``, ``1.5 KiB``, ``2.0 GiB`` (the cache's tables,
    ``inspect``, ``validate``'s size notes)."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


__all__ = [
    "PIPED_WIDTH", "annotation_data", "annotation_property", "ask", "err", "error_line",
    "escape_markup", "human_size", "markdown_cell", "markdown_code", "markup_text", "out", "out_data",
    "progress_line", "redact",
    "rich_console", "safe_text", "shown", "table_console",
]
