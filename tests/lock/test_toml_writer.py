"""The lock file's TOML writer (:mod:`hub_plugin.lock.toml_writer`): whatever strings the cards and
links hold, :mod:`tomllib` reads back exactly what was written (Hypothesis), in the lock's shape."""

from __future__ import annotations

from typing import Any

import tomllib
from hypothesis import given, settings
from hypothesis import strategies as st

from hub_plugin.lock.toml_writer import dumps

# TOML strings are Unicode scalar values: no lone surrogates.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
SCALAR = st.one_of(TEXT, st.integers(min_value=-(2**63), max_value=2**63 - 1), st.booleans())
KEY = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
TABLE = st.dictionaries(KEY, SCALAR, max_size=5)


@st.composite
def lock_shaped(draw: st.DrawFn) -> dict[str, Any]:
    """A document like the lock file: scalars, tables, and arrays of tables holding tables and
    arrays of tables of their own."""
    model = st.fixed_dictionaries(
        {"name": TEXT, "card": TABLE, "route": TABLE},
        optional={"hub": TABLE, "assets": st.lists(TABLE.filter(bool), min_size=1, max_size=3)},
    )
    return {"version": draw(st.integers(0, 9)), "versions": draw(TABLE),
            "model": draw(st.lists(model, min_size=1, max_size=3))}


@settings(max_examples=150, deadline=None)
@given(lock_shaped())
def test_what_is_written_reads_back_equal(document: dict[str, Any]) -> None:
    assert tomllib.loads(dumps(document)) == document


@settings(max_examples=150, deadline=None)
@given(TABLE, st.lists(TEXT, max_size=3))
def test_keys_and_values_of_any_text_and_comment_headers(table: dict[str, Any], header: list[str]) -> None:
    assert tomllib.loads(dumps({"t": table}, header=header)) == {"t": table}


def test_none_is_left_out_and_the_shape_reads_well() -> None:
    text = dumps({"version": 1, "versions": {"hub-plugin": "1.0", "mindspore": None},
                  "model": [{"name": "a b", "card": {"sha256": "0" * 64},
                             "assets": [{"link": 'x"y', "size": 3}]}]}, header=["a lock"])
    assert text == (
        '# a lock\nversion = 1\n\n[versions]\nhub-plugin = "1.0"\n\n[[model]]\nname = "a b"\n\n'
        f'[model.card]\nsha256 = "{"0" * 64}"\n\n[[model.assets]]\nlink = "x\\"y"\nsize = 3\n'
    )
