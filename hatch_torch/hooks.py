from __future__ import annotations

from hatchling.plugin import hookimpl

from hatch_torch.hook.metadata import TorchMetadataHook


@hookimpl
def hatch_register_metadata_hook() -> type[TorchMetadataHook]:
    return TorchMetadataHook
