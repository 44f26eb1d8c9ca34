"""The ``local-version`` setting: the backend as the built wheel's local version label (``mylib 1.2.0+cu130``).

Rules (documented in docs/publishing.md):

- The label is the one the backend's torch build carries for the torch release that was pinned: the backend
  name (``cpu``, ``cu130``, ``rocm7.1``). A wheel is usually pure Python and installs on every platform, so one
  label stands for all of them; the wheel is bare (no label) only when the backend's torch build carries no
  label on any platform. With no torch-family requirement to pin, the label is the backend name.
- Only wheels built from the source tree are labelled. The sdist stays unlabelled (one sdist for every
  backend, and the hook leaves its metadata dynamic), and a wheel built *from* an sdist keeps the sdist's
  version, because installers reject a built wheel whose version differs from the sdist they downloaded.
- A version that already has a local label (``1.3.dev4+g1a2b3c``) gets the backend appended (``+g1a2b3c.cu130``).
"""

from __future__ import annotations

import os
from typing import Any

from packaging.version import InvalidVersion, Version

from hatch_torch.data.model import ReleaseData, load
from hatch_torch.pins.resolve import Resolution
from hatch_torch.util.errors import ConfigurationError

SETTING = "tool.hatch.metadata.hooks.torch.local-version"


def label_for(resolution: Resolution, data: ReleaseData | None = None) -> str:
    """The local label for a build pinned by ``resolution`` ("" = bare)."""
    if resolution.torch is None:
        return resolution.backend
    data = data or load(resolution.backend)
    labels = {label for label in data.labels(resolution.torch, resolution.backend, "torch").values() if label}
    if not labels:
        return ""
    return resolution.backend if resolution.backend in labels or len(labels) > 1 else labels.pop()


def labelled(version: str, label: str) -> str:
    """``version`` with ``label`` added as (the last part of) its local version label."""
    if not label:
        return version
    return f"{version}.{label}" if "+" in version else f"{version}+{label}"


def apply(metadata: dict[str, Any], label: str, root: str) -> None:
    """Set the labelled version in the hook's ``metadata`` (and in hatchling's cached version, if any)."""
    if not label or os.path.isfile(os.path.join(root, "PKG-INFO")):
        return
    version = metadata.get("version")
    if not isinstance(version, str):
        raise ConfigurationError(
            [
                f"{SETTING} = true, but the project version is not known when the torch hook runs "
                f"(project.version is {version!r}). Fix: set project.version, or a [tool.hatch.version] source, "
                f'or turn the setting off ("{SETTING} = false").'
            ]
        )
    try:
        new = labelled(version, label)
        normalized = str(Version(new))
    except InvalidVersion:
        raise ConfigurationError(
            [
                f"{SETTING}: the version {version!r} with the label +{label} is not a valid version. "
                f"Fix: use a PEP 440 version in project.version."
            ]
        ) from None
    metadata["version"] = new
    # With a [tool.hatch.version] source hatchling has computed and cached the version before running the
    # metadata hooks (ProjectMetadata.core); the hook's copy alone would not reach the file name or METADATA.
    project = _calling_project_metadata()
    if project is not None and getattr(project, "_version", None) is not None:
        project._version = normalized
        if hasattr(project, "_original_version"):
            project._original_version = new


def _calling_project_metadata() -> Any:
    from hatchling.metadata.core import ProjectMetadata

    from hatch_torch.hook.metadata import caller_self

    return caller_self(lambda obj: isinstance(obj, ProjectMetadata))
