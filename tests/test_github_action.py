"""``action.yml``: valid action metadata, and its steps run for real on a hub repository."""

from __future__ import annotations

import importlib.resources
import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml
from card_samples import VALID_FRONT_MATTER, card_text, replace_field, write_card
from github_action import LightVenv, action, light_venv, run_step, step
from jsonschema import Draft7Validator
from locations import REPO

from hub_plugin.cli import build_parser

__all__ = ["light_venv"]

BAD = card_text(replace_field(VALID_FRONT_MATTER, "fine-tunable", "fine-tunable: sometimes"))


def schemastore(name: str) -> dict:
    """A SchemaStore schema, as the maintained check-jsonschema package vendors it."""
    vendor = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    schema: dict = json.loads(vendor.joinpath(name).read_text("utf-8"))
    return schema


def test_action_yml_is_valid_action_metadata() -> None:
    errors = [e.message for e in Draft7Validator(schemastore("github-actions.json")).iter_errors(action())]
    assert errors == []
    assert action()["runs"]["using"] == "composite"
    assert set(action()["inputs"]) >= {"paths", "profile", "changed-since", "check-links",
                                       "verify-assets", "format"}


def test_the_schema_check_can_fail() -> None:
    broken = {**action(), "runs": {"using": "composite", "steps": [{"run": "true"}]}}  # no shell
    assert list(Draft7Validator(schemastore("github-actions.json")).iter_errors(broken))


def test_the_readme_workflow_uses_the_action_and_is_a_valid_workflow() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "runs-on:" in b]
    assert blocks, "the README has no workflow example"
    workflow = yaml.safe_load(blocks[0])
    workflow["on"] = workflow.pop(True)  # YAML 1.1 reads the key `on` as true; GitHub does not
    assert list(Draft7Validator(schemastore("github-workflows.json")).iter_errors(workflow)) == []
    uses = [s.get("uses", "") for job in workflow["jobs"].values() for s in job["steps"]]
    assert any(u.split("@")[0].endswith("hub-plugin") for u in uses), uses


def test_every_command_the_action_can_run_parses_as_a_hub_plugin_invocation() -> None:
    script = step("validate")["run"]
    flags = re.findall(r"args(?:=\(|\+=\()([^)]*)\)", script)
    assert flags[0].startswith("validate --format")
    words = [w for chunk in flags for w in shlex.split(chunk.replace('"$', '"X'))]
    argv = ["validate", "--format", "github", "--profile", "mindspore-hub", "--changed-since", "main",
            "--check-links", "--verify-assets", "--allow-empty", "--include", "*.md", "--exclude", "x*",
            "--sarif-output", "x.sarif", "cards/"]
    assert {w for w in words if w.startswith("--")} == {w for w in argv if w.startswith("--")}
    for output_format in ("github", "text", "json", "sarif"):
        for profile in ("strict", "mindspore-hub"):
            build_parser().parse_args(["validate", "--format", output_format, "--profile", profile,
                                       "--changed-since", "main", "--check-links", "--verify-assets",
                                       "--allow-empty", "--include", "a", "--exclude", "b",
                                       "--sarif-output", "x", "."])


@pytest.fixture
def hub_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "hub"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    for key, value in (("user.email", "t@example.org"), ("user.name", "t")):
        subprocess.run(["git", "config", key, value], cwd=repo, check=True)
    write_card(repo / "cards", "good", card_text())
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "hub"], cwd=repo, check=True)
    subprocess.run(["git", "checkout", "-q", "-b", "pr"], cwd=repo, check=True)
    write_card(repo / "cards", "bad", BAD)
    return repo


@pytest.mark.slow
def test_the_validate_step_annotates_the_bad_card(light_venv: LightVenv, hub_repo: Path) -> None:
    result = run_step("validate", runner_temp=light_venv.runner_temp, cwd=hub_repo,
                      inputs={"changed-since": "main", "paths": "cards"})
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::error file=cards/bad.md,line=")
    assert lines[-1] == "1 file checked (strict, changed since main): 0 valid, 1 invalid"


def test_every_input_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### GitHub Actions", 1)[1].split("\n### ", 1)[0]
    missing = [name for name in action()["inputs"] if f"`{name}`" not in section]
    assert missing == []


@pytest.mark.slow
def test_the_sarif_format_writes_the_log_and_names_it_as_output(
    light_venv: LightVenv, hub_repo: Path
) -> None:
    result = run_step("validate", runner_temp=light_venv.runner_temp, cwd=hub_repo,
                      inputs={"format": "sarif", "profile": "mindspore-hub"})
    assert result.returncode == 1 and result.outputs == {"sarif-file": "hub-plugin.sarif"}
    log = json.loads((hub_repo / "hub-plugin.sarif").read_text())
    assert {r["ruleId"] for r in log["runs"][0]["results"]} == {"schema/type"}


@pytest.mark.slow
def test_a_clean_hub_passes(light_venv: LightVenv, hub_repo: Path) -> None:
    (hub_repo / "cards" / "bad.md").unlink()
    result = run_step("validate", runner_temp=light_venv.runner_temp, cwd=hub_repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "1 file checked (strict): 1 valid, 0 invalid"



def _commit(repo: Path, message: str) -> str:
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, check=True)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.mark.slow
def test_on_a_push_the_previous_commit_gives_the_changed_cards(light_venv: LightVenv, hub_repo: Path) -> None:
    before = _commit(hub_repo, "the bad card")  # github.event.before of the next push
    write_card(hub_repo / "cards", "later", BAD)
    _commit(hub_repo, "another bad card")
    result = run_step("validate", runner_temp=light_venv.runner_temp, cwd=hub_repo,
                      inputs={"changed-since": before})
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0].startswith("::error file=cards/later.md,line=")
    assert result.stdout.splitlines()[-1].startswith("1 file checked (strict, changed since ")


@pytest.mark.slow
def test_the_first_push_of_a_branch_validates_every_card(light_venv: LightVenv, hub_repo: Path) -> None:
    result = run_step("validate", runner_temp=light_venv.runner_temp, cwd=hub_repo,
                      inputs={"changed-since": "0" * 40})
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == ("::notice title=hub-plugin::no previous commit (the first push of a branch): "
                        "every card is validated")
    assert lines[-1] == "2 files checked (strict): 1 valid, 1 invalid"


@pytest.mark.slow
def test_sarif_annotations_and_the_step_summary_come_from_one_run(
    light_venv: LightVenv, hub_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = hub_repo.parent / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = run_step("validate", runner_temp=light_venv.runner_temp, cwd=hub_repo,
                      inputs={"format": "sarif", "include": "cards/*", "exclude": "good.md"})
    assert result.returncode == 1 and result.outputs == {"sarif-file": "hub-plugin.sarif"}
    assert result.stdout.startswith("::error file=cards/bad.md,")  # a fork's pull request sees these
    assert result.stdout.splitlines()[-1] == "1 file checked (strict): 0 valid, 1 invalid"
    (run,) = json.loads((hub_repo / "hub-plugin.sarif").read_text())["runs"]
    assert [r["ruleId"] for r in run["results"]] == ["schema/type"]
    assert "| `cards/bad.md` |" in summary.read_text()


@pytest.mark.slow
def test_at_the_root_of_a_hub_laid_out_like_mindspore_hub_only_cards_are_checked(
    light_venv: LightVenv, tmp_path: Path
) -> None:
    hub = tmp_path / "mindspore-hub"
    write_card(hub / "mshub_res" / "assets" / "mindspore" / "1.8", "alexnet_cifar10", card_text())
    (hub / "mshub_res" / "examples").mkdir(parents=True)
    (hub / "mshub_res" / "examples" / "lenet.md").write_text("# LeNet\n\nRun it.\n")
    (hub / "CONTRIBUTING.md").write_text("# Contributing\n")
    (hub / ".gitee").mkdir()
    (hub / ".gitee" / "PULL_REQUEST_TEMPLATE.md").write_text("**What type of PR is this?**\n")
    result = run_step("validate", runner_temp=light_venv.runner_temp, cwd=hub)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == ("1 file checked (strict, cards of mshub_res/assets/): "
                                              "1 valid, 0 invalid; 2 skipped, not cards")


@pytest.mark.slow
def test_no_card_found_fails_the_job_unless_allow_empty(light_venv: LightVenv, tmp_path: Path) -> None:
    """A wrong path or glob does not pass as "0 files checked" (issue 28, item 3)."""
    (tmp_path / "empty").mkdir()
    result = run_step("validate", runner_temp=light_venv.runner_temp, cwd=tmp_path,
                      inputs={"paths": "empty"})
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "hub-plugin: error: no card found: searched empty (no Markdown card or package.yaml there) "
        "(pass --allow-empty where an empty run is a pass)"]
    result = run_step("validate", runner_temp=light_venv.runner_temp, cwd=tmp_path,
                      inputs={"paths": "empty", "allow-empty": "true"})
    assert result.returncode == 0, result.stdout + result.stderr
