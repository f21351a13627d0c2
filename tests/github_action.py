"""Running the steps of ``action.yml`` here, as a GitHub runner would, for the tests.

A composite action's ``run`` steps are bash scripts; the runner substitutes ``${{ ... }}``
expressions and sets ``RUNNER_TEMP`` and ``GITHUB_OUTPUT``. :func:`run_step` does the same for the
expressions ``action.yml`` uses (``inputs.*`` and ``github.action_path``; any other is a test
failure, so the action cannot grow one this runner does not understand) and runs the script with
bash for real. The light-install fixture is the action's own install step.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from locations import REPO

ACTION = REPO / "action.yml"
_EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return data


def step(step_id_or_name: str) -> dict[str, Any]:
    for entry in action()["runs"]["steps"]:
        if step_id_or_name in (entry.get("id"), entry.get("name")):
            return dict(entry)
    raise AssertionError(f"action.yml has no step {step_id_or_name!r}")


def expand(text: str, inputs: Mapping[str, str], action_path: Path) -> str:
    """``text`` with its ``${{ }}`` expressions evaluated as the runner would."""

    def value(match: re.Match[str]) -> str:
        expression = match[1]
        if expression == "github.action_path":
            return str(action_path)
        if expression.startswith("inputs."):
            name = expression.removeprefix("inputs.")
            declared = action()["inputs"]
            assert name in declared, f"action.yml uses undeclared input {name!r}"
            return inputs.get(name, str(declared[name].get("default", "")))
        raise AssertionError(f"action.yml uses an expression this test runner does not know: {expression}")

    return _EXPRESSION.sub(value, text)


@dataclass
class StepResult:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]


def run_step(name: str, *, runner_temp: Path, cwd: Path, inputs: Mapping[str, str] | None = None,
             timeout: float = 300) -> StepResult:
    """Run one ``run`` step of ``action.yml`` with bash, in ``cwd``."""
    entry = step(name)
    assert entry["shell"] == "bash"
    inputs = dict(inputs or {})
    script = expand(entry["run"], inputs, REPO)
    assert "${{" not in entry["run"], "inputs reach the script through env, never spliced into it"
    env = {key: value for key, value in os.environ.items() if not key.startswith("INPUT_")}
    env.update({key: expand(str(value), inputs, REPO) for key, value in entry.get("env", {}).items()})
    output_file = runner_temp / f"output-{os.getpid()}-{len(list(runner_temp.iterdir()))}"
    output_file.write_text("")
    env.update({"RUNNER_TEMP": str(runner_temp), "GITHUB_OUTPUT": str(output_file)})
    result = subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout)
    outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
    return StepResult(result.returncode, result.stdout, result.stderr, outputs)


@dataclass(frozen=True)
class LightVenv:
    """A virtual environment with ``pip install hub-plugin`` (no extras), by the action's step."""

    runner_temp: Path

    @property
    def bin(self) -> Path:
        return self.runner_temp / "hub-plugin-venv" / "bin"

    def installed(self) -> set[str]:
        listing = subprocess.run([str(self.bin / "python"), "-m", "pip", "list", "--format", "json"],
                                 capture_output=True, text=True, check=True)
        return {entry["name"].lower() for entry in json.loads(listing.stdout)}


@pytest.fixture(scope="session")
def light_venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LightVenv]:
    """The light install, made once per test session by action.yml's install step (a real pip
    install of this checkout, from the package index, into a fresh venv)."""
    runner_temp = tmp_path_factory.mktemp("runner-temp")
    result = run_step("Install hub-plugin (light, without MindSpore)", runner_temp=runner_temp, cwd=REPO,
                      timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    yield LightVenv(runner_temp)
