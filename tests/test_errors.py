"""Every error class of ``hub_plugin`` lives in ``hub_plugin/errors.py`` (issue 26), derives from the
built-in type that says the same thing, and keeps the exit code and message it had."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from locations import REPO

import hub_plugin
from hub_plugin import errors
from hub_plugin.errors import HubPluginError

PACKAGE = REPO / "hub_plugin"

#: The exit code of every error, as each class had it before the errors moved into one module.
EXIT_CODES = {
    "AmbiguousName": 1, "ArgumentContradictsCard": 2, "AscendRequired": 2, "BytecodeRefused": 1,
    "CacheError": 1, "CardError": 1, "CardFieldError": 1, "CheckpointError": 1, "ParameterListError": 1,
    "CodeChangedSinceTrust": 1, "ConversionError": 1, "DeviceUnavailable": 2,
    "DownloadError": 1, "EntryPointMissing": 1, "ExportError": 1, "ExportMismatch": 1, "GitError": 1,
    "GitMissing": 2, "HubChangeError": 1, "HubError": 1, "HubNotSynced": 1, "HubPluginError": 1,
    "IntegrityError": 1, "Interrupted": 130, "LaunchFailed": 1, "LinkInPackage": 1, "LinkRefused": 2,
    "LockFileError": 2, "LockMismatch": 1,
    "MissingDependency": 2, "ModelFileError": 1, "ModelNotFound": 1, "NoCardsFound": 2,
    "NetworkArgumentError": 2, "NoNetwork": 1,
    "NoNetworkAccess": 2,
    "NoZooEntryPoint": 1, "OfflineError": 1, "PackageImportError": 1, "PathEscape": 1,
    "PublicLinkMismatch": 1, "QuantizationMismatch": 1, "RegistryError": 2, "RepoLinkError": 1,
    "S3Error": 1, "TrustStoreError": 2, "TryFailed": 1, "UnsafeFileName": 1, "UntrustedCode": 1,
    "UsageError": 2,
    "YamlError": 1, "ZooCodeError": 1, "ZooCodeMissing": 1,
}


def error_classes() -> dict[str, type[HubPluginError]]:
    return {name: value for name, value in vars(errors).items()
            if inspect.isclass(value) and issubclass(value, HubPluginError)}


def exception_classes_outside_errors(package: Path = PACKAGE) -> list[str]:
    """``file:line name`` of every public class in ``hub_plugin`` (but errors.py) whose bases name an
    exception: ``Exception``, ``*Error``, or an error class of ours. Private control-flow signals
    (``_Retry``, ``_Abort``: never raised out of their module) are not errors a caller sees."""
    ours = set(error_classes())
    found = []
    for path in sorted(package.rglob("*.py")):
        if path == package / "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef) or node.name.startswith("_"):
                continue
            bases = {ast.unparse(base).rsplit(".", 1)[-1] for base in node.bases}
            if bases & ours or any(b.endswith(("Error", "Exception")) for b in bases):
                found.append(f"{path.relative_to(package.parent)}:{node.lineno} {node.name}")
    return found


def test_no_error_class_is_defined_outside_errors_py() -> None:
    assert exception_classes_outside_errors() == []


def test_the_scan_finds_an_error_class(tmp_path: Path) -> None:
    """The scan above is not vacuous: it sees a class deriving from one of ours or a built-in."""
    package = tmp_path / "hub_plugin"
    (package / "feature").mkdir(parents=True)
    (package / "errors.py").write_text("class Fine(Exception):\n    pass\n")
    (package / "feature" / "thing.py").write_text(
        "class Broken(errors.HubError):\n    pass\n\n\nclass Other(ValueError):\n    pass\n\n\n"
        "class _Signal(Exception):\n    pass\n\n\nclass Plain:\n    pass\n")
    assert exception_classes_outside_errors(package) == [
        "hub_plugin/feature/thing.py:1 Broken", "hub_plugin/feature/thing.py:5 Other"]


def test_every_error_keeps_its_exit_code() -> None:
    assert {name: cls.exit_code for name, cls in error_classes().items()} == EXIT_CODES


def test_every_public_error_is_exported() -> None:
    assert set(errors.__all__) == set(error_classes())
    for name in ("ModelNotFound", "GitError", "UntrustedCode", "ExportMismatch", "MissingDependency"):
        assert getattr(hub_plugin, name) is getattr(errors, name)


@pytest.mark.parametrize(("error", "builtin"), [
    (errors.ModelNotFound("resnet", ["resnet50"]), LookupError),
    (errors.AmbiguousName("resnet", ["a/resnet", "b/resnet"]), LookupError),
    (errors.UsageError("bad option"), ValueError),
    (errors.LinkRefused("http://example.com/x.ckpt: plain http"), ValueError),
    (errors.RepoLinkError("not a repository"), ValueError),
    (errors.PathEscape("../x leaves its root"), ValueError),
    (errors.DownloadError("https://example.com/x", "HTTP 404", status=404), ConnectionError),
    (errors.OfflineError("https://example.com/x", "ab" * 32, card="lenet"), ConnectionError),
    (errors.DownloadError("https://example.com/x", "refused", tries=5), OSError),
    (errors.CacheError("cannot write", hint="set HUB_PLUGIN_HOME"), OSError),
    (errors.TrustStoreError("not JSON"), OSError),
    (errors.MissingDependency("mindspore", "load", "mindspore"), ImportError),
])
def test_a_plain_except_clause_catches_ours(error: HubPluginError, builtin: type[Exception]) -> None:
    with pytest.raises(builtin) as caught:
        raise error
    assert caught.value is error
    assert isinstance(error, HubPluginError)


def test_the_built_in_base_keeps_the_message() -> None:
    """``str`` and ``args`` stay one message (OSError would otherwise read ``args`` as errno)."""
    error = errors.DownloadError("https://example.com/x", "HTTP 503", status=503, tries=3,
                                 hint="try later")
    assert str(error) == "https://example.com/x: HTTP 503 after 3 tries (try later)"
    assert error.args == ("https://example.com/x: HTTP 503 after 3 tries",)
    assert error.status == 503 and error.tries == 3
    missing = errors.MissingDependency("onnxruntime", "export", "onnx")
    assert str(missing) == (
        "export needs ONNX Runtime, which is not installed: pip install 'hub-plugin[onnx]'")
    assert str(errors.UsageError("bad", hint="see --help")) == "bad (see --help)"
    assert str(errors.ModelNotFound("x")) == (
        "no model named 'x' (run 'hub-plugin list' to see the known models)")
