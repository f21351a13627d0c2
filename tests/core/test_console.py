"""The console (issue 26): untrusted text is shown as data, credentials are redacted, step
summaries and annotations are escaped; property tests for the class of hole (issue 27, holes 1, 4,
8 and 11)."""

from __future__ import annotations

import io
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub_plugin.core.console import (
    annotation_data,
    annotation_property,
    escape_markup,
    markdown_cell,
    markdown_code,
    markup_text,
    redact,
    rich_console,
    safe_text,
    shown,
)

SHOWN = {"Cc", "Cf", "Zl", "Zp", "Cs"}

#: Text an attacker would write: escape sequences, C1 controls, bidi overrides, rich markup,
#: emoji codes, backslashes before brackets, and any other character.
hostile = st.lists(
    st.one_of(
        st.sampled_from(["\x1b", "\x1b[2J", "\x1b]0;title\x07", "\x9b", "\x9d", "\x7f", "\r", "\n",
                         "\t", "\u202e", "\u2066", "\u2028", "\u200b", "\ufeff", "[", "]", "[/]",
                         "[link=https://evil.example]", "[bold]", "[/bold]", "\\", ":smile:", "@",
                         "://", "user:pw@host"]),
        st.characters(),
    ),
    max_size=30,
).map("".join)


def _rendered(markup: str) -> str:
    buffer = io.StringIO()
    console = rich_console(file=buffer, force_terminal=True, color_system="truecolor", width=80,
                           soft_wrap=True, highlight=False)
    console.print(markup, end="")
    return buffer.getvalue()


@settings(max_examples=400, deadline=None)
@given(hostile)
def test_safe_text_never_emits_a_control_or_invisible_character(text: str) -> None:
    safe = safe_text(text)
    assert not [c for c in safe if unicodedata.category(c) in SHOWN]
    assert safe_text(safe) == safe  # shown text is shown as it is
    assert all(c == "\n" or unicodedata.category(c) not in SHOWN
               for c in safe_text(text, multiline=True))


@settings(max_examples=400, deadline=None)
@given(hostile)
def test_rich_prints_markup_text_as_its_visible_form_with_no_control_byte(text: str) -> None:
    """Through a real ``rich`` console on a (forced) terminal: what is printed is exactly the
    visible form of the input (no markup, link, style or emoji applied), and it holds no control
    byte: nothing an attacker wrote reaches the terminal as a sequence."""
    output = _rendered(markup_text(text))
    visible = shown(text)
    doubled = visible.endswith("\\") and not visible.endswith("\\\\")  # escape_markup's rule
    assert output == visible + ("\\" if doubled else "")
    assert not [c for c in output if unicodedata.category(c) in SHOWN]


@pytest.mark.parametrize("text", ["[/]", "[link=https://evil.example]x[/link]", "\\[b]x", "a\\\\",
                                  "[bold]x[/]", ":smile:"])
def test_markup_is_shown_as_written(text: str) -> None:
    assert _rendered(escape_markup(text)) == text


@settings(max_examples=200, deadline=None)
@given(hostile)
def test_text_between_our_own_tags_never_breaks_them(text: str) -> None:
    """``[bold]{markup_text(x)}[/bold]`` renders (no MarkupError, the internal error of hole 4)
    and shows the text whole, whatever ``x`` is (a trailing backslash included)."""
    assert shown(text).rstrip("\\") in _rendered(f"[bold]{markup_text(text)}[/bold]:")


def test_the_documented_visible_form() -> None:
    assert safe_text("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert safe_text("\x1b]0;pwned\x07") == "\\x1b]0;pwned\\x07"
    assert safe_text("\x9b\x7f\u202e\u2028\t\r\n") == "\\x9b\\x7f\\u202e\\u2028\\t\\r\\n"
    assert safe_text("x\ny", multiline=True) == "x\ny"
    assert safe_text("\U000e0041") == "\\U000e0041"
    assert safe_text("plain text, ünïcödé, 中文") == "plain text, ünïcödé, 中文"


@pytest.mark.parametrize(("text", "expected"), [
    ("git fetch of https://deploy:SECRET@gitee.com/x.git failed",
     "git fetch of https://***@gitee.com/x.git failed"),
    ("https://ghp_TOKEN@github.com/owner/repo", "https://***@github.com/owner/repo"),
    ("https://user:p@ss:w@rd@host:8443/path@x", "https://***@host:8443/path@x"),
    ("user:PASS@proxy:3128", "***@proxy:3128"),
    ("http://a:b@h:1,user:PASS@proxy:3128,localhost", "http://***@proxy:3128,localhost"),  # more is safe
    ("https://h/file.ckpt?X-Amz-Signature=abc&x=1", "https://h/file.ckpt?X-Amz-Signature=***&x=1"),
    ("https://gitee.com/mindspore/=https://example.org/", "https://gitee.com/mindspore/=https://example.org/"),
    ("git@github.com:owner/repo.git and someone@example.org", "git@github.com:owner/repo.git and "
     "someone@example.org"),
    ("sha256:abc at 12:30 on host:22", "sha256:abc at 12:30 on host:22"),
    ("hub:test@57739415a60775537ff6 (current)", "hub:test@57739415a60775537ff6 (current)"),
    ("me:pw@proxy.example.org and me:pw@[::1]:8080", "***@proxy.example.org and ***@[::1]:8080"),
])
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


@settings(max_examples=200, deadline=None)
@given(user=st.text(st.characters(blacklist_characters="/?#@", blacklist_categories=("Zs", "Cc")),
                    min_size=1, max_size=12),
       password=st.text(st.characters(blacklist_characters="/?#", blacklist_categories=("Zs", "Cc")),
                        min_size=4, max_size=12).filter(lambda p: p.strip() == p))
def test_no_password_of_a_url_survives_redaction(user: str, password: str) -> None:
    line = f"cannot fetch https://{user}:{password}@host.example/repo.git: refused"
    assert redact(line) == "cannot fetch https://***@host.example/repo.git: refused"


def test_markdown_cells_hold_no_live_html_or_markup() -> None:
    cell = markdown_cell("<h1>big</h1><img src=x onerror=y> `code` | [a](b) *x* &amp;")
    assert "<" not in cell and ">" not in cell and "&amp;amp;" in cell
    assert "\\`code\\`" in cell and "\\|" in cell and "\\[a\\]" in cell and "\\*x\\*" in cell
    assert markdown_cell("a\nb\x1b[2J") == "a b\\\\x1b\\[2J"  # lines joined, ESC visible
    assert markdown_code("cards/x`y.md") == "``cards/x`y.md``"
    assert markdown_code("`x|y`") == "`` `x\\|y` ``"
    assert markdown_code("cards/ok.md") == "`cards/ok.md`"


@settings(max_examples=300, deadline=None)
@given(hostile)
def test_markdown_never_carries_a_tag_a_newline_or_an_unescaped_pipe(text: str) -> None:
    for value in (markdown_cell(text), markdown_code(text)):
        assert "<" not in value or value.startswith("`")
        assert "\n" not in value and "\r" not in value
        assert "|" not in value.replace("\\|", "")
        assert not [c for c in value if unicodedata.category(c) in SHOWN]


def test_annotations_escape_as_the_runner_expects() -> None:
    assert annotation_data("50% done\nnext\x1b[2J") == "50%25 done%0Anext\\x1b[2J"
    assert annotation_property("cards/a:b,c.md") == "cards/a%3Ab%2Cc.md"
