"""The project's own wiring: README commands, CI, and a non-editable install."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from locations import REPO


def readme_commands() -> list[str]:
    lines = (REPO / "README.md").read_text().splitlines()
    start = lines.index("```bash")
    block = lines[start + 1 : lines.index("```", start + 1)]
    return [line for line in block if line and not line.startswith("#")]


def test_the_readme_starts_with_the_two_commands_and_ci_runs_the_test_one() -> None:
    main_job, tests = readme_commands()
    assert "hub-plugin" in main_job and "pytest" in tests
    assert tests in (REPO / ".ci" / "run").read_text()


@pytest.mark.slow
def test_a_built_wheel_carries_models_and_schemas_and_works_outside_the_checkout(
    tmp_path: Path,
) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(REPO)],
        check=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("hub_plugin-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "hub_plugin/_bundled/schemas/model-card.schema.json" in names
    assert "hub_plugin/_bundled/models/simclr/simclr_encoder_cifar10.md" in names
    assert "hub_plugin/_bundled/models/simclr/package.yaml" in names
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    script = (
        "import hub_plugin.core.resources as r, sys\n"
        f"assert str(r.models_dir()).startswith({str(target)!r}), r.models_dir()\n"
        "from hub_plugin.cli import main\n"
        "sys.exit(main(['validate', str(r.models_dir())]) or main(['info', 'simclr', '--format', 'json']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert "simclr_linearclassifier_cifar10" in result.stdout


def test_the_missing_dependency_hint_adds_the_extra_to_the_installed_hub_plugin() -> None:
    """Issue 28, item 7: hub-plugin is on no package index, so the hint ``pip install
    'hub-plugin[publish]'`` must work for a hub-plugin installed from a clone (or git, or a
    wheel): pip takes the installed distribution and resolves only the extra's packages. Run
    with ``--no-index`` (nothing may come from an index) and ``--dry-run`` (nothing changes)."""
    import importlib.metadata
    import importlib.util
    import shlex

    from hub_plugin.errors import MissingDependency

    try:
        importlib.metadata.distribution("hub-plugin")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("hub-plugin is not installed here (run from PYTHONPATH only)")
    if importlib.util.find_spec("boto3") is None:
        pytest.skip("the publish extra's boto3 is not installed: pip would need an index")
    command = shlex.split(MissingDependency("boto3", "publish --upload", "publish").install)
    assert command[:2] == ["pip", "install"]
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-index", "--dry-run", *command[2:]],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Requirement already satisfied: hub-plugin[publish]" in result.stdout
