"""Plain data classes without :mod:`dataclasses`, for the modules a build or a detection loads.

Importing :mod:`dataclasses` brings in :mod:`inspect` (and with it ``ast``, ``dis``, ``tokenize``) and
each ``@dataclass`` compiles its methods: several milliseconds in a fresh process, on every build.
A :class:`Record` subclass declares its fields the same way (annotations, defaults, ``field(default_factory=...)``)
and gets ``__init__`` (positional or keyword), ``__repr__`` and ``__eq__``; ``frozen=True`` makes it
immutable and hashable. :func:`as_dict` and :func:`replace` do what ``dataclasses.asdict``/``replace`` do.
Type checkers see the fields through ``dataclass_transform``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: Any) -> Callable[[Any], Any]:
        return lambda obj: obj


T = TypeVar("T")
R = TypeVar("R", bound="Record")


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], T]) -> T:
    """A field whose default is made fresh for each instance (``field(default_factory=list)``)."""
    return _Factory(default_factory)  # type: ignore[return-value]


@dataclass_transform(field_specifiers=(field,))
class Record:
    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}
    _frozen: ClassVar[bool] = False

    def __init_subclass__(cls, frozen: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # the class's own annotations (strings, with postponed evaluation); not inspect.get_annotations,
        # which would import inspect
        declared = cls.__dict__.get("__annotations__")  # noqa: RUF063
        if declared is None:
            declared = cls.__annotations__ if "__annotate__" in cls.__dict__ else {}  # Python 3.14
        own = [n for n, kind in declared.items() if "ClassVar" not in str(kind)]
        cls._fields = (*cls._fields, *(n for n in own if n not in cls._fields))
        cls._defaults = dict(cls._defaults)
        for name in own:
            if name in cls.__dict__:
                cls._defaults[name] = cls.__dict__[name]
                if isinstance(cls._defaults[name], _Factory):
                    delattr(cls, name)
        cls._frozen = frozen or cls._frozen
        if cls._frozen:
            cls.__hash__ = Record._hash  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = self._fields
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__}() takes {len(fields)} arguments, got {len(args)}")
        values = dict(zip(fields, args, strict=False))
        for name, value in kwargs.items():
            if name not in fields or name in values:
                problem = "got multiple values for" if name in values else "got an unexpected keyword"
                raise TypeError(f"{type(self).__name__}() {problem} argument {name!r}")
            values[name] = value
        for name in fields:
            if name not in values:
                if name not in self._defaults:
                    raise TypeError(f"{type(self).__name__}() missing argument {name!r}")
                default = self._defaults[name]
                values[name] = default.make() if isinstance(default, _Factory) else default
            object.__setattr__(self, name, values[name])
        post = getattr(self, "__post_init__", None)
        if post is not None:
            post()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, n) for n in self._fields)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{n}={getattr(self, n)!r}' for n in self._fields)})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # mutable records are not hashable, as with dataclasses

    def _hash(self) -> int:
        return hash(self._values())

    def __setattr__(self, name: str, value: Any) -> None:
        if self._frozen:
            raise AttributeError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if self._frozen:
            raise AttributeError(f"cannot delete field {name!r} of a frozen {type(self).__name__}")
        object.__delattr__(self, name)


def as_dict(obj: Record) -> dict[str, Any]:
    """The record's fields as a dict, nested records, lists, tuples and dicts converted (copied) too."""
    return {name: _plain(getattr(obj, name)) for name in obj._fields}


def _plain(value: Any) -> Any:
    if isinstance(value, Record):
        return as_dict(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    return value


def replace(obj: R, **changes: Any) -> R:
    """A copy of ``obj`` with some fields changed (``__post_init__`` runs again, as with dataclasses)."""
    return type(obj)(**{**{n: getattr(obj, n) for n in obj._fields}, **changes})
