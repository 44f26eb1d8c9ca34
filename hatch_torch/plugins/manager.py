"""The plugin manager: third-party plugins from the ``hatch_torch`` entry-point group, then the built-ins.

With no third-party plugin installed (the common case) pluggy is not imported: the built-ins, marked
with :func:`hatch_torch.plugins.marker.hookimpl`, are called in the order pluggy would call them.

``HATCH_TORCH_DISABLE_PLUGINS`` blocks third-party plugins: ``1``/``all`` blocks every one, otherwise
a comma-separated list of entry-point names. Built-in detectors cannot be blocked this way (their
overrides are documented in docs/detection.md).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from hatch_torch.plugins.marker import call_order
from hatch_torch.plugins.scan import DISABLE_ENV, GROUP, blocked_names, third_party
from hatch_torch.util.record import Record, field

if TYPE_CHECKING:
    import pluggy

    from hatch_torch.detection.probe import ProbeContext
    from hatch_torch.plugins.spec import BackendSpec

__all__ = ["DISABLE_ENV", "GROUP", "Plugins", "blocked_names", "current", "manager", "third_party"]


class Plugins(Record):
    #: None when there are no third-party plugins: then only built-ins, called without pluggy
    pm: pluggy.PluginManager | None
    blocked: tuple[str, ...] = ()
    #: (plugin name, what went wrong) for plugins that failed to load or to answer
    errors: list[tuple[str, str]] = field(default_factory=list)
    #: built-ins registered without pluggy, in registration order
    builtins: list[tuple[str, object]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._order: dict[str, list[tuple[str, Callable[..., Any], Sequence[str]]]] = {}
        self._have: Sequence[str] = ()

    def with_builtins(self, modules: Sequence[str]) -> Plugins:
        """Register built-in plugins (module names) once, after the third-party ones, so they run first
        (pluggy calls the last registered first). The detection layer names its detectors; this layer
        never imports anything above it."""
        if modules == self._have:
            return self  # every detection asks again
        for module in modules:
            name = f"hatch_torch.{module.rsplit('.', 1)[1]}"
            if self.pm is None:
                if all(name != known for known, _ in self.builtins):
                    self.builtins.append((name, _module(module)))
                    self._order.clear()
            elif not self.pm.has_plugin(name):
                self.pm.register(_module(module), name=name)
        self._have = modules
        return self

    def register(self, plugin: object, name: str) -> None:
        """Register a plugin object in-process (tests, embedding applications): pluggy takes over."""
        if self.pm is None:
            self.pm = _pluggy()
            for builtin, module in self.builtins:
                self.pm.register(module, name=builtin)
            self.builtins.clear()
        self.pm.register(plugin, name=name)
        self._have = ()

    def impls(self, hook: str) -> list[tuple[str, Callable[..., Any], Sequence[str]]]:
        """(plugin name, function, argument names) in call order."""
        if self.pm is None:
            if hook not in self._order:
                self._order[hook] = [(name, f, _argnames(f)) for name, f in call_order(self.builtins, hook)]
            return self._order[hook]
        caller = getattr(self.pm.hook, hook)
        return [(i.plugin_name, i.function, i.argnames) for i in reversed(caller.get_hookimpls())]

    def probe(self, context: ProbeContext) -> None:
        for name, function, _ in self.impls("hatch_torch_probe"):
            try:
                function(context=context)
            except Exception as exc:
                context.record(f"plugin:{name}", "failed", f"raised {type(exc).__name__}: {exc}")

    def supports(self, **kwargs: Any) -> tuple[bool | None, str]:
        """First non-None answer of ``hatch_torch_supports`` and the plugin that gave it."""
        for name, function, argnames in self.impls("hatch_torch_supports"):
            try:
                answer = function(**{a: kwargs[a] for a in argnames})
            except Exception as exc:
                error = (name, f"hatch_torch_supports raised {type(exc).__name__}: {exc}")
                if error not in self.errors:
                    self.errors.append(error)
                continue
            if answer is not None:
                return bool(answer), name
        return None, ""

    def backends(self) -> list[tuple[str, BackendSpec]]:
        from hatch_torch.plugins.spec import BackendSpec

        out: list[tuple[str, BackendSpec]] = []
        for name, function, _ in self.impls("hatch_torch_backends"):
            try:
                specs = function() or []
                for spec in specs:
                    if not isinstance(spec, BackendSpec):
                        raise TypeError(f"expected BackendSpec, got {type(spec).__name__}")
                    out.append((name, spec))
            except Exception as exc:
                self.errors.append((name, f"hatch_torch_backends raised {type(exc).__name__}: {exc}"))
        return out


def _module(name: str) -> object:
    """``importlib.import_module(name)`` (without importing importlib)."""
    __import__(name)
    return sys.modules[name]


def _argnames(function: Callable[..., Any]) -> tuple[str, ...]:
    """The arguments without defaults, as pluggy passes them."""
    code = function.__code__
    names = code.co_varnames[: code.co_argcount]
    return names[: len(names) - len(function.__defaults__ or ())]


@cache
def manager(blocked: str = "") -> Plugins:
    """The plugin manager for a given block list (cached per process)."""
    eps, names = third_party(blocked)
    if not eps:
        return Plugins(None, names)
    pm = _pluggy()
    plugins = Plugins(pm, names)
    for ep in eps:
        try:
            pm.register(ep.load(), name=ep.name)
        except Exception as exc:
            plugins.errors.append((ep.name, f"could not be loaded: {type(exc).__name__}: {exc}"))
    try:
        pm.check_pending()
    except Exception as exc:  # a plugin implementing a hook that does not exist
        plugins.errors.append(("?", str(exc)))
    return plugins


def _pluggy() -> pluggy.PluginManager:
    import pluggy

    from hatch_torch.plugins import spec as _hookspecs

    pm = pluggy.PluginManager(_hookspecs.PROJECT)
    pm.add_hookspecs(_hookspecs)
    return pm


def current(environ: Mapping[str, str] | None = None) -> Plugins:
    return manager(blocked_names(environ))
