"""The README's Python code blocks run as written (issue 28, item 7: the hub example raised
``UntrustedCode``).

Every ```` ```python ```` block of the README is listed in :data:`BLOCKS` by its first line, with
what the test does with it: run it whole, run it up to a line (the rest needs the network), or skip
it with the reason. A block the table does not know fails the test, so a new example is run or
skipped on purpose, never forgotten. Blocks run in a fresh folder, offline but for the servers the
test starts on 127.0.0.1 (a git daemon for the hub and the model zoo, a folder for checkpoints).
"""

from __future__ import annotations

import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from git_server import GitServer, WorkRepo
from hub_repos import CARDS, hub_card
from locations import REPO
from zoo_repos import DOWNLOADS, ZOO, mirrors, save_checkpoint


@dataclass(frozen=True)
class Plan:
    """What to do with a README block: ``run`` it (up to the line starting ``until``, when given),
    with the set-up ``setup`` names, or skip it for ``skip``."""

    run: bool = True
    until: str = ""
    setup: str = ""
    skip: str = ""


BLOCKS: dict[str, Plan] = {
    "from hub_plugin.downloads.fetch import fetch, fetch_manifest": Plan(
        run=False, skip="downloads the official SimCLR checkpoints from download.mindspore.cn"),
    "import hub_plugin\n\nhub_plugin.list_models()": Plan(
        until="paths = hub_plugin.download", setup="cards",
    ),  # the rest downloads the official checkpoints, loads them with MindSpore and publishes to S3
    "import hub_plugin\nfrom hub_plugin.exports.exported_model import ExportedModel": Plan(
        run=False, skip="exports the official SimCLR weights (download.mindspore.cn) and needs "
        "CIFAR-10 folders for calibration (tested in tests/exports)"),
    "import hub_plugin\n\nhub_plugin.list_models(hub=\"mindspore\"": Plan(setup="hub"),
    "# hubconf.py": Plan(),
}


def python_blocks() -> list[tuple[int, str]]:
    """``(line, code)`` of each ```` ```python ```` block of the README."""
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    blocks: list[tuple[int, str]] = []
    start: int | None = None
    for number, line in enumerate(lines, 1):
        if start is None and line.strip() == "```python":
            start = number
        elif start is not None and line.strip() == "```":
            blocks.append((start, "\n".join(lines[start:number - 1]) + "\n"))
            start = None
    return blocks


def plan_of(code: str) -> Plan | None:
    return next((plan for first, plan in BLOCKS.items() if code.startswith(first)), None)


def test_every_python_block_of_the_readme_is_run_or_skipped_on_purpose() -> None:
    blocks = python_blocks()
    assert len(blocks) >= len(BLOCKS)
    unknown = [line for line, code in blocks if plan_of(code) is None]
    assert not unknown, f"README.md python blocks at lines {unknown}: add them to BLOCKS"


def _hub_and_zoo(server: GitServer, checkpoints: Path) -> None:
    """MindSpore Hub's repository (the built-in hub, through the mirror) with the two cards the
    README's hub example names, and a model zoo whose alexnet and resnet are tiny networks."""
    zoo = WorkRepo(server.base.parent / "work-readme-zoo")
    network = '''
        import mindspore.nn as nn


        class {name}(nn.Cell):
            def __init__(self, num_classes={classes}, channel=3):
                super().__init__()
                self.dense = nn.Dense(4, num_classes)

            def construct(self, x):
                return self.dense(x)


        def create_network(name, *args, **kwargs):
            return {name}(*args, **kwargs)
    '''
    zoo.write("official/cv/alexnet/mindspore_hub_conf.py",
              textwrap.dedent(network.format(name="AlexNet", classes=10)).lstrip())
    zoo.write("official/cv/resnet/mindspore_hub_conf.py",
              textwrap.dedent(network.format(name="ResNet", classes=1001)).lstrip())
    zoo.commit("zoo")
    zoo.branch("r1.8")
    server.publish(zoo, "models.git")

    import numpy as np

    alexnet = save_checkpoint(checkpoints / "alexnet.ckpt", {
        "dense.weight": np.ones((10, 4), np.float32), "dense.bias": np.zeros(10, np.float32)})
    resnet = save_checkpoint(checkpoints / "resnet50.ckpt", {
        "dense.weight": np.ones((1001, 4), np.float32), "moments.dense.weight": np.ones(2, np.float32)})
    hub = WorkRepo(server.base.parent / "work-readme-hub")
    for stem, model, folder, digest in (("alexnet_cifar10", "alexnet", "alexnet", alexnet),
                                        ("resnet50_imagenet2012", "resnet50", "resnet", resnet)):
        hub.write(f"{CARDS}/mindspore/1.8/{stem}.md", hub_card(
            model, summary=f"{model} for the README", repo_link=f"{ZOO}/tree/r1.8/official/cv/{folder}",
            asset_link=f"{DOWNLOADS}{model}.ckpt", digest=digest))
    hub.commit("cards")
    server.publish(hub, "hub.git")


@pytest.mark.parametrize("line", [line for line, _ in python_blocks()])
def test_the_readme_python_block_runs_as_written(
    line: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    code = dict(python_blocks())[line]
    plan = plan_of(code)
    assert plan is not None
    if not plan.run:
        pytest.skip(f"README.md line {line}: {plan.skip}")
    if plan.until:
        assert plan.until in code, f"README.md line {line}: no line {plan.until!r} any more"
        code = code[: code.index(plan.until)]
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "readme_example"}
    if plan.setup == "cards":
        (tmp_path / "cards").mkdir()
        shutil.copy(REPO / "models" / "simclr" / "simclr_encoder_cifar10.md", tmp_path / "cards")
    server = None
    if plan.setup == "hub":
        pytest.importorskip("mindspore", reason="the hub example builds MindSpore networks")
        server = GitServer(tmp_path_factory.mktemp("git-base"))
        checkpoints = tmp_path / "checkpoints"
        _hub_and_zoo(server, checkpoints)
        monkeypatch.setenv("HUB_PLUGIN_MIRROR", mirrors(server, checkpoints))
    try:
        exec(compile(code, f"README.md, the block at line {line}", "exec"), namespace)
    finally:
        if server is not None:
            server.stop()
    if plan.setup == "cards":
        assert namespace["report"].valid  # type: ignore[attr-defined]
        assert namespace["manifest"].model_version == "1.8"  # type: ignore[attr-defined]
    if plan.setup == "hub":
        net = namespace["net"]
        assert type(net).__name__ == "ResNet"
    if code.startswith("# hubconf.py"):
        serve = namespace["serve_hub_card"]
        assert serve("mylib_model", {"model-name": "ResNet50"}) == {  # type: ignore[operator]
            "arguments": {"model_name": "resnet50", "num_classes": 1000},
            "input-shape": [1, 3, 224, 224]}
