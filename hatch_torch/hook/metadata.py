"""The hatchling metadata hook: pins the torch family for the chosen backend at build time."""

from __future__ import annotations

import gc
import os
import sys
from typing import TYPE_CHECKING, Any

from hatchling.metadata.plugin.interface import MetadataHookInterface

if TYPE_CHECKING:
    from collections.abc import Callable


class TorchMetadataHook(MetadataHookInterface):
    PLUGIN_NAME = "torch"

    def __init__(self, root: str, config: dict[str, Any]) -> None:
        super().__init__(root, config)
        # hatchling calls update() only when project.dynamic lists something, but it creates every configured
        # hook either way: without project.dynamic the wheel would silently lose its dependencies, so the
        # settings are checked here too and the build stops with the documented error.
        project = _project_table()
        if project is not None and not project.get("dynamic"):
            from hatch_torch.hook.settings import parse

            parse(config, project)

    def update(self, metadata: dict[str, Any]) -> None:
        # What the hook allocates (its modules, the snapshot, the pins) is long-lived or freed by reference
        # counting; collecting the cycle garbage of the whole build process meanwhile, several times, would cost
        # more than the hook's own work. The collector runs again as soon as the hook is done.
        enabled = gc.isenabled()
        gc.disable()
        try:
            self._update(metadata)
        finally:
            if enabled:
                gc.enable()

    def _update(self, metadata: dict[str, Any]) -> None:
        _load_bundled()
        from hatch_torch.hook.settings import PREFIX, choose_backend, parse, requested
        from hatch_torch.pins.resolve import resolve

        problems: list[str] = []
        config = parse(self.config, metadata, problems)
        if _building_sdist():
            # Leave the fields dynamic so PKG-INFO says `Dynamic: Requires-Dist` and an install from
            # the sdist runs this hook again on the installing machine.
            if problems:
                from hatch_torch.util.errors import ConfigurationError

                raise ConfigurationError(problems)
            return
        # a bad backend still lets the requirements be checked, so that every problem is in one message
        chosen = choose_backend(*requested(config.backend), config.groups, config.strict_detection, problems)
        backend, known = (chosen, True) if chosen is not None else ("cpu", False)
        python = metadata.get("requires-python")
        result = resolve(
            config.groups,
            backend,
            fallback=config.fallback,
            prefix=PREFIX,
            requires_python=python if isinstance(python, str) else None,
            problems=problems,
            backend_known=known,
        )
        for note in result.notes:
            print(f"hatch-torch: {note}", file=sys.stderr)
        if config.dependencies is not None:
            metadata["dependencies"] = result.groups["dependencies"]
        if config.optional_dependencies is not None:
            metadata["optional-dependencies"] = {
                extra: result.groups[f"optional-dependencies.{extra}"] for extra in config.optional_dependencies
            }
        if config.local_version:
            from hatch_torch.hook import local_version as _local_version

            _local_version.apply(metadata, _local_version.label_for(result), self.root)


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: the bytecode of a build's modules in one file, for one interpreter (written by hatch_build.py into the wheel)
BUNDLE = os.path.join(_PACKAGE, "__pycache__", "build-path.{}.marshal")


def _load_bundled() -> None:
    """Load the modules a build imports from the bundle hatch-torch's wheel carries for this interpreter: one read
    instead of an import each (about 1 ms of a build). Each module is used only while its source has the CRC-32
    the bundle recorded; an edited one, one already loaded, or a bundle that is missing, unreadable or of another
    Python (or of another optimization level) are left to the import system, as without a bundle."""
    if "hatch_torch.hook.settings" in sys.modules or sys.flags.optimize:
        return
    import _imp
    import marshal
    from importlib.machinery import ModuleSpec, SourceFileLoader
    from importlib.util import MAGIC_NUMBER, module_from_spec
    from zlib import crc32

    try:
        with open(BUNDLE.format(sys.implementation.cache_tag), "rb") as f:
            magic, entries = marshal.loads(f.read())
    except (OSError, ValueError, EOFError, TypeError):
        return
    if magic != MAGIC_NUMBER or not all(isinstance(entry, tuple) and len(entry) == 5 for entry in entries):
        return
    root = os.path.dirname(_PACKAGE)
    for name, relative, package, crc, code in entries:
        if name in sys.modules:
            continue
        source = os.path.join(root, relative.replace("/", os.sep))
        try:
            with open(source, "rb") as f:
                if crc32(f.read()) != crc:
                    continue
        except OSError:
            continue
        # as the import system does: tracebacks and inspect name the installed source
        _imp._fix_co_filename(code, source)  # type: ignore[attr-defined]
        spec = ModuleSpec(name, SourceFileLoader(name, source), origin=source, is_package=package)
        spec.has_location = True
        if package:
            spec.submodule_search_locations = [os.path.dirname(source)]
        module = module_from_spec(spec)
        sys.modules[name] = module
        try:
            exec(code, module.__dict__)
        except BaseException:
            del sys.modules[name]
            raise
        parent, _, child = name.rpartition(".")
        setattr(sys.modules[parent], child, module)


def caller_self(test: Callable[[Any], bool]) -> Any:
    """The first ``self`` up the call stack that passes ``test``, or None (metadata hooks are not told which
    builder runs them)."""
    frame = sys._getframe(1)
    while frame is not None:
        candidate = frame.f_locals.get("self")
        if candidate is not None and test(candidate):
            return candidate
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _project_table() -> dict[str, Any] | None:
    """The ``[project]`` table of the hatchling ``ProjectMetadata`` creating this hook (None if not found)."""
    owner = caller_self(lambda obj: type(obj).__name__ == "ProjectMetadata")
    project = getattr(owner, "core_raw_metadata", None) if owner is not None else None
    return project if isinstance(project, dict) else None


def _building_sdist() -> bool:
    """True when hatchling's sdist builder is on the call stack."""
    return caller_self(lambda obj: getattr(type(obj), "PLUGIN_NAME", None) == "sdist") is not None
