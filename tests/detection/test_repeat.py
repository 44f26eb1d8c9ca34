"""Repeated detections in one process: the choice for the same findings is worked out once, a machine
that changed between probes (the probe cache cleared) is chosen for anew, and what a caller does with a
result never reaches the next one."""

from __future__ import annotations

from machines import Machine

from hatch_torch.detection.core import clear_cache


def test_a_changed_driver_on_the_same_root_is_chosen_for_anew(machine: Machine) -> None:
    machine.nvidia_sysfs("580.65.06")
    machine.nvidia_procfs("580.65.06", ["NVIDIA GeForce RTX 4090"])
    first = machine.detect()
    machine.nvidia_sysfs("535.104.05")
    assert machine.detect().backend == first.backend  # the probe cache holds within a build
    clear_cache()
    second = machine.detect()
    assert second.versions["nvidia_driver"] == "535.104.05"
    assert second.backend != first.backend
    assert any("535.104.05" in r for r in second.reasons)
    assert not any("580.65.06" in r for r in second.reasons)


def test_the_same_findings_give_the_same_detection(machine: Machine) -> None:
    machine.nvidia_sysfs("580.65.06")
    machine.nvidia_procfs("580.65.06", ["NVIDIA GeForce RTX 4090"])
    first = machine.detect()
    clear_cache()
    again = machine.detect()
    assert (again.backend, again.reasons, again.rejected, again.gpus) == (
        first.backend,
        first.reasons,
        first.rejected,
        first.gpus,
    )


def test_changing_a_result_does_not_change_the_next(machine: Machine) -> None:
    machine.nvidia_sysfs("580.65.06")
    machine.nvidia_procfs("580.65.06", ["NVIDIA GeForce RTX 4090"])
    first = machine.detect()
    reasons, rejected = list(first.reasons), dict(first.rejected)
    first.reasons.append("changed by the caller")
    first.rejected["cu999"] = "changed by the caller"
    first.devices[0].arch = "5.0"
    clear_cache()
    again = machine.detect()
    assert (again.reasons, again.rejected) == (reasons, rejected)
    assert again.devices[0].arch == "8.9"


def test_another_torch_specifier_is_chosen_for_anew(machine: Machine) -> None:
    machine.nvidia_sysfs("580.65.06")
    machine.nvidia_procfs("580.65.06", ["NVIDIA GeForce RTX 4090"])
    newest = machine.detect()
    older = machine.detect("<2.6")
    assert older.release != newest.release
    assert older.torch == "<2.6"
