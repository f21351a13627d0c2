"""``hub-plugin env``: everything a bug report needs, in one paste (as ``huggingface-cli env``).

hub-plugin, Python and the platform; MindSpore, ONNX Runtime, NumPy and the other libraries
hub-plugin uses, with their versions; the device targets this machine offers; the cache and
config folders with their sizes (the cache by kind: assets, hub snapshots, zoo checkouts); the
hubs with the commit each is synced at; the trust store; the mirror, offline and proxy settings.
Text for people, ``--format json`` for scripts.

It never imports MindSpore (nor any library it lists): versions come from the installed
distributions' metadata (:mod:`importlib.metadata`), and the devices from their drivers' traces on
this machine (an NVIDIA driver for ``gpu``, an Ascend driver for ``ascend``), which says a device
is present, not that MindSpore can use it. ``--check-devices`` asks MindSpore itself (slower).
Credentials are never printed (issue 27, hole 8): the user-info of every URL (mirrors, hubs,
proxies, with or without a scheme) is redacted by :func:`hub_plugin.core.console.redact`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from ..core.console import out, out_data, redact, shown
from ..core.settings import VARIABLES, Settings, current_settings

#: The distributions reported: what a model command needs, and what hub-plugin's commands use.
LIBRARIES = (
    "mindspore", "onnxruntime", "onnx", "numpy", "pillow", "mindcv", "rich", "requests",
    "pyyaml", "jsonschema", "filelock", "boto3",
)
#: The environment variables that change what hub-plugin does, shown as they are set: hub-plugin's
#: own (read by :mod:`hub_plugin.core.settings`, the one place that reads them), then others'.
OTHER_SETTINGS = ("GLOG_v", "REQUESTS_CA_BUNDLE")
SETTINGS = (*VARIABLES, *OTHER_SETTINGS)
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                   "all_proxy", "NO_PROXY", "no_proxy")
#: Where a device's driver leaves a trace, for each device hub-plugin can run on besides the CPU.
DRIVER_TRACES = {
    "gpu": ("/proc/driver/nvidia/version", "/dev/nvidia0"),
    "ascend": ("/usr/local/Ascend/driver/version.info", "/dev/davinci0"),
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "env", help="print versions, devices, folders and settings, for a bug report",
        description="Print hub-plugin's and Python's versions, the platform, MindSpore's, ONNX "
        "Runtime's and the other libraries' versions, the device targets found, the cache and "
        "config folders with their sizes, the hubs and their commits, the trust store, and the "
        "mirror, offline and proxy settings. Never imports MindSpore (unless --check-devices).",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="lines to paste into a bug report (default) or JSON for scripts")
    parser.add_argument("--check-devices", action="store_true",
                        help="ask MindSpore which devices it can use (imports it: slower)")
    parser.set_defaults(run=run)


def library_versions() -> dict[str, str | None]:
    """Each library of :data:`LIBRARIES` and its installed version (None: not installed)."""
    from importlib import metadata  # 20 ms: not at start-up, where every command would pay it

    found: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def device_targets(*, check: bool = False) -> dict[str, str]:
    """``cpu``, ``gpu`` and ``ascend``, each with what was found: from the drivers' traces, or, with
    ``check``, from MindSpore itself."""
    if check:
        from ..core.extras import is_installed

        if is_installed("mindspore"):
            from ..packages.device import DEVICES, is_available

            return {name: "available to MindSpore" if is_available(name) else "not available"
                    for name in DEVICES}
        return {name: "not checked (MindSpore is not installed)" for name in ("cpu", "gpu", "ascend")}
    found = {"cpu": "present"}
    for device, traces in DRIVER_TRACES.items():
        trace = next((t for t in traces if os.path.exists(t)), None)
        found[device] = f"driver found ({trace})" if trace else "no driver found"
    return found


def folder_size(folder: Path) -> int:
    """The bytes of the files under ``folder`` (links not followed; 0 if it does not exist)."""
    total = 0
    pending = [folder]
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
    return total


def _git_version() -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run([git, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip().removeprefix("git version ") or None


def _hubs(settings: Settings) -> list[dict[str, Any]]:
    from ..errors import HubPluginError
    from ..hubs.sync import hub_store

    rows = []
    try:
        for spec, snapshot in hub_store(settings).snapshots():
            rows.append({"name": spec.name, "url": redact(spec.url), "ref": spec.ref,
                         "commit": snapshot.commit if snapshot else None,
                         "date": snapshot.date if snapshot else None})
    except HubPluginError as error:
        rows.append({"name": "?", "error": redact(str(error))})
    return rows


def _trust() -> dict[str, Any]:
    from ..errors import HubPluginError
    from ..trust.store import PackageTrust, TrustStore

    store = TrustStore()
    try:
        entries = store.entries()
    except HubPluginError as error:
        return {"path": str(store.path), "error": str(error)}
    packages = sum(isinstance(e, PackageTrust) for e in entries)
    return {"path": str(store.path), "packages": packages, "repositories": len(entries) - packages}


def _settings(settings: Settings) -> dict[str, str | None]:
    """:data:`SETTINGS` as the person set them (``GLOG_v`` that hub-plugin set itself is left out)."""
    from ..packages.mindspore_log import LEVEL_VARIABLE, set_by_hub_plugin

    found = {name: redact(value) if value is not None else None
             for name, value in ((name, settings.variables.get(name)) for name in VARIABLES)}
    found.update({name: redact(value) if value is not None else None
                  for name, value in ((name, os.environ.get(name)) for name in OTHER_SETTINGS)})
    if set_by_hub_plugin():
        found[LEVEL_VARIABLE] = None
    return found


def collect(*, check_devices: bool = False, settings: Settings | None = None) -> dict[str, Any]:
    """What ``hub-plugin env`` prints, as data (``settings``: the environment's when ``None``)."""
    from .._version import __version__

    settings = current_settings(settings)
    cache, config = settings.home, settings.config
    kinds = {"assets": ["blobs", "cards", "tmp"], "hub snapshots": ["hubs"], "zoo checkouts": ["zoo"]}
    return {
        "hub-plugin": __version__,
        "python": f"{platform.python_version()} ({platform.python_implementation()}, "
                  f"{sys.executable})",
        "platform": platform.platform(),
        "git": _git_version(),
        "libraries": library_versions(),
        "devices": device_targets(check=check_devices),
        "folders": {
            "cache": {"path": str(cache), "size": folder_size(cache),
                      "by kind": {kind: sum(folder_size(cache / f) for f in names)
                                  for kind, names in kinds.items()}},
            "config": {"path": str(config), "size": folder_size(config)},
        },
        "hubs": _hubs(settings),
        "trust store": _trust(),
        "offline": settings.offline,
        "settings": _settings(settings),
        "proxies": {name: redact(os.environ[name])
                    for name in PROXY_VARIABLES if os.environ.get(name)},
    }


def _text(report: dict[str, Any]) -> list[str]:
    from ..core.console import human_size

    lines = [f"hub-plugin: {report['hub-plugin']}", f"Python: {report['python']}",
             f"platform: {report['platform']}", f"git: {report['git'] or 'not installed'}"]
    lines += [f"{name}: {version or 'not installed'}" for name, version in report["libraries"].items()]
    lines += [f"device {name}: {state}" for name, state in report["devices"].items()]
    cache, config = report["folders"]["cache"], report["folders"]["config"]
    kinds = ", ".join(f"{kind} {human_size(size)}" for kind, size in cache["by kind"].items())
    lines.append(f"cache folder: {cache['path']} ({human_size(cache['size'])}: {kinds})")
    lines.append(f"config folder: {config['path']} ({human_size(config['size'])})")
    for hub in report["hubs"]:
        if "error" in hub:
            lines.append(f"hubs: {hub['error']}")
            continue
        state = f"at {hub['commit']} ({hub['date']})" if hub["commit"] else "not synced"
        lines.append(f"hub {hub['name']}: {hub['url']} {hub['ref']}, {state}")
    trust = report["trust store"]
    lines.append(f"trust store: {trust['path']} (" + (
        trust["error"] if "error" in trust
        else f"{trust['packages']} packages, {trust['repositories']} repositories") + ")")
    lines.append(f"offline: {'yes' if report['offline'] else 'no'}")
    lines += [f"{name}: {value}" for name, value in report["settings"].items() if value is not None]
    lines += [f"{name}: {value}" for name, value in report["proxies"].items()]
    if not report["proxies"]:
        lines.append("proxies: none")
    return lines


def run(args: argparse.Namespace) -> int:
    report = collect(check_devices=args.check_devices, settings=args.settings)  # credentials already redacted
    if args.format == "json":
        out_data(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for line in _text(report):
            out(shown(line))
    return 0
