"""plugins.marker: our hookimpl marker is pluggy's, and without pluggy the built-ins run in pluggy's order."""

from __future__ import annotations

import types

import pluggy

from hatch_torch.detection.vendors import BUILTINS
from hatch_torch.plugins import manager as _manager
from hatch_torch.plugins import spec
from hatch_torch.plugins.marker import call_order, hookimpl


def _plugin(name: str, **options: bool) -> types.SimpleNamespace:
    def hatch_torch_probe(context: object) -> None:
        pass

    hatch_torch_probe.__qualname__ = name
    return types.SimpleNamespace(
        hatch_torch_probe=hookimpl(**options)(hatch_torch_probe) if options else hookimpl(hatch_torch_probe)
    )


def test_pluggy_reads_our_marker_and_calls_in_the_order_we_compute() -> None:
    plugins = [
        ("a", _plugin("a")),
        ("first1", _plugin("first1", tryfirst=True)),
        ("last1", _plugin("last1", trylast=True)),
        ("b", _plugin("b")),
        ("first2", _plugin("first2", tryfirst=True)),
        ("last2", _plugin("last2", trylast=True)),
        ("c", _plugin("c")),
    ]
    pm = pluggy.PluginManager(spec.PROJECT)
    pm.add_hookspecs(spec)
    for name, plugin in plugins:
        pm.register(plugin, name=name)
    pm.check_pending()
    by_pluggy = [i.plugin_name for i in reversed(pm.hook.hatch_torch_probe.get_hookimpls())]
    assert by_pluggy == [name for name, _ in call_order(plugins, "hatch_torch_probe")]
    assert by_pluggy == ["first2", "first1", "c", "b", "a", "last1", "last2"]
    impl = pm.hook.hatch_torch_probe.get_hookimpls()[-1]
    assert impl.tryfirst
    assert impl.argnames == ("context",)


def test_builtins_run_in_the_same_order_with_and_without_pluggy() -> None:
    lite = _manager.manager.__wrapped__("").with_builtins(BUILTINS)
    assert lite.pm is None
    assert lite.builtins  # registered without pluggy
    with_pluggy = _manager.Plugins(_manager._pluggy()).with_builtins(BUILTINS)
    assert [n for n, _, _ in lite.impls("hatch_torch_probe")] == [
        n for n, _, _ in with_pluggy.impls("hatch_torch_probe")
    ]
    assert next(n for n, _, _ in lite.impls("hatch_torch_probe")) == "hatch_torch.overrides"  # tryfirst
    assert lite.impls("hatch_torch_supports") == with_pluggy.impls("hatch_torch_supports") == []
    # registering an object in-process hands everything to pluggy; registered last, it runs right after
    # the tryfirst overrides
    lite.register(types.SimpleNamespace(hatch_torch_probe=hookimpl(lambda context: None)), name="extra")
    assert lite.pm is not None
    names = [n for n, _, _ in lite.impls("hatch_torch_probe")]
    assert names[:2] == ["hatch_torch.overrides", "extra"]
    assert sorted(names[2:]) == sorted(n for n, _, _ in with_pluggy.impls("hatch_torch_probe")[1:])
