"""Device names to MindSpore targets, and a clear error for a device that is not there."""

from __future__ import annotations

import pytest

from hub_plugin.errors import DeviceUnavailable, UsageError
from hub_plugin.packages.device import available_devices, target_of, use_device


def test_names_map_to_mindspore_targets() -> None:
    assert [target_of(name) for name in ("cpu", "GPU", "ascend")] == ["CPU", "GPU", "Ascend"]
    with pytest.raises(UsageError, match="choose one of cpu, gpu, ascend"):
        target_of("tpu")


def test_the_cpu_is_always_there_and_selected() -> None:
    import mindspore

    assert available_devices()[0] == "cpu"
    assert use_device("cpu") == "CPU"
    assert mindspore.get_context("device_target") == "CPU"


@pytest.mark.parametrize("name", ["gpu", "ascend"])
def test_an_absent_accelerator_is_a_clear_error(name: str) -> None:
    if name in available_devices():
        pytest.skip(f"this machine has a {name}")
    with pytest.raises(DeviceUnavailable) as caught:
        use_device(name)
    assert str(caught.value).startswith(f"device {name!r} is not available: found cpu")
    assert caught.value.exit_code == 2
