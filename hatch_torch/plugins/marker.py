"""The ``hookimpl`` marker of the ``hatch_torch`` plugin project, without importing pluggy.

pluggy finds hook implementations by an attribute ``<project>_impl`` (a dict of options) that its
``HookimplMarker`` sets on the function; this marker sets the same attribute, so pluggy registers
functions marked here exactly as if its own marker had been used. The built-in detectors use it, so
that a detection without third-party plugins never imports pluggy (:mod:`hatch_torch.plugins.manager`
then calls the built-ins itself, in pluggy's order).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeVar

    F = TypeVar("F", bound=Callable[..., Any])

PROJECT = "hatch_torch"
ATTRIBUTE = f"{PROJECT}_impl"


@overload
def hookimpl(function: F) -> F: ...


@overload
def hookimpl(
    function: None = None,
    *,
    hookwrapper: bool = False,
    optionalhook: bool = False,
    tryfirst: bool = False,
    trylast: bool = False,
    specname: str | None = None,
    wrapper: bool = False,
) -> Callable[[F], F]: ...


def hookimpl(
    function: F | None = None,
    *,
    hookwrapper: bool = False,
    optionalhook: bool = False,
    tryfirst: bool = False,
    trylast: bool = False,
    specname: str | None = None,
    wrapper: bool = False,
) -> F | Callable[[F], F]:
    """Mark a hook implementation (``@hookimpl`` or ``@hookimpl(tryfirst=True)``), as pluggy's
    ``HookimplMarker("hatch_torch")`` does."""
    options = {
        "wrapper": wrapper,
        "hookwrapper": hookwrapper,
        "optionalhook": optionalhook,
        "tryfirst": tryfirst,
        "trylast": trylast,
        "specname": specname,
    }

    def mark(func: F) -> F:
        setattr(func, ATTRIBUTE, options)
        return func

    return mark if function is None else mark(function)


def call_order(plugins: list[tuple[str, object]], hook: str) -> list[tuple[str, Callable[..., Any]]]:
    """(plugin name, function) for ``hook`` in the order pluggy calls them, for plugins registered in
    the order given: ``tryfirst`` ones (last registered first), the plain ones (last registered first),
    then ``trylast`` ones (first registered first)."""
    first: list[tuple[str, Callable[..., Any]]] = []
    plain: list[tuple[str, Callable[..., Any]]] = []
    last: list[tuple[str, Callable[..., Any]]] = []
    for name, plugin in plugins:
        function = getattr(plugin, hook, None)
        options = getattr(function, ATTRIBUTE, None)
        if function is None or not isinstance(options, dict):
            continue
        if options.get("wrapper") or options.get("hookwrapper") or options.get("specname"):
            raise ValueError(f"{name}.{hook}: wrappers and specname need pluggy")
        group = first if options.get("tryfirst") else last if options.get("trylast") else plain
        group.append((name, function))
    return [*reversed(first), *reversed(plain), *last]
