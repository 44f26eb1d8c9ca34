"""A third-party family member for the tests: a plugin that adds torchcodec through ``hatch_torch_family``
(and tries to replace torchvision and add a broken entry, which must be refused)."""

from __future__ import annotations

from typing import Any

from hatch_torch.plugin import hookimpl
from hatch_torch.plugins import manager as _plugins


class TorchCodec:
    """A plugin adding a member without code change: wheels on the PyTorch indexes, labelled like torch."""

    @hookimpl
    def hatch_torch_family(self) -> dict[str, dict[str, Any]]:
        return {
            "torchcodec": {
                "where": "pytorch",
                "label": "backend",
                "kinds": ["cpu", "cuda"],
                "releases": [{"version": "0.8.0", "torch": "==2.9.*"}, {"version": "0.9.0", "torch": "==2.10.*"}],
            },
            "torchvision": {"where": "pypi"},
            "broken": {"where": "ftp", "label": "{nope}"},
        }


def plugged() -> _plugins.Plugins:
    plugins = _plugins.manager.__wrapped__("")
    plugins.register(TorchCodec(), name="codec")
    return plugins
