"""Zoo failures named as the folder writes them, with the versions that explain them; zoo output
captured and shown only on failure (or when verbose); per-sample card input shapes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from hub_plugin.packages.input_shape import declared_input_shape
from hub_plugin.zoo.failures import import_failure, public
from hub_plugin.zoo.output_capture import captured_output


def test_private_module_names_never_show() -> None:
    error = ModuleNotFoundError("No module named 'hub_plugin_zoo.gat_0123abcd.src.config'",
                                name="hub_plugin_zoo.gat_0123abcd.src.config")
    failure = import_failure(error, folder=Path("."), what="the zoo code of gat", card_mindspore="1.8")
    assert "imports 'src.config', which the folder does not have (no src/config.py" in str(failure)
    assert "hub_plugin_zoo" not in str(failure)
    assert public("cannot import name 'x' from 'hub_plugin_zoo.res2net_ae36.src.res2net'") == \
        "cannot import name 'x' from 'src.res2net'"


def test_numpy_alias_removals_name_the_versions(tmp_path: Path) -> None:
    import numpy as np

    try:
        np.bool  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as error:
        failure = import_failure(error, folder=tmp_path, what="the zoo code of gat", card_mindspore="1.8")
    else:
        pytest.skip("this NumPy still has np.bool")
    expected = f"uses np.bool, which NumPy 1.24 removed (deprecated since 1.20); NumPy {np.__version__}"
    assert expected in str(failure)


@pytest.mark.mindspore
def test_a_changed_mindspore_signature_names_the_versions(tmp_path: Path) -> None:
    import mindspore

    try:
        mindspore.nn.Dense(4, 2, vocab_cache_size=8)  # type: ignore[call-arg]
    except TypeError as error:
        failure = import_failure(error, folder=tmp_path, what="the zoo code of x", card_mindspore="1.8")
    assert "calls MindSpore with arguments its API no longer takes" in str(failure)
    assert f"mindspore-version 1.8, MindSpore {mindspore.__version__} is installed" in str(failure)


def test_output_is_captured_and_shown_only_on_failure(capsys: pytest.CaptureFixture[str]) -> None:
    with captured_output(verbose=False):
        print("a 73-line config dump")
    assert capsys.readouterr() == ("", "")
    with pytest.raises(RuntimeError), captured_output(verbose=False):
        print("the line before the failure")
        print("to stderr", file=sys.stderr)
        raise RuntimeError("boom")
    err = capsys.readouterr().err
    assert "zoo | the line before the failure\nzoo | to stderr\n" in err
    with captured_output(verbose=True):
        print("shown")
    assert capsys.readouterr().err == "zoo | shown\n"


def test_a_card_shape_without_batch_is_read_per_sample() -> None:
    assert declared_input_shape({}, {"input-shape": [3, 300, 300]}) == (1, 3, 300, 300)
    assert declared_input_shape({}, {"input-shape": "[1, 3, 224, 224]"}) == (1, 3, 224, 224)
    assert declared_input_shape({"input-shape": [1, 3, 32, 32]}, {"input-shape": [3, 9, 9]}) == (1, 3, 32, 32)
