"""Plain data classes without :mod:`dataclasses`, for the modules a build or a detection loads.

Importing :mod:`dataclasses` brings in :mod:`inspect` (and with it ``ast``, ``dis``, ``tokenize``) and
each ``@dataclass`` compiles its methods: several milliseconds in a fresh process, on every build.
A :class:`Record` subclass declares its fields the same way (annotations, defaults, ``field(default_factory=...)``)
and gets ``__init__`` (positional or keyword), ``__repr__`` and ``__eq__``; ``frozen=True`` makes it
immutable and hashable. :func:`as_dict` and :func:`replace` do what ``dataclasses.asdict``/``replace`` do.
Type checkers see the fields through ``dataclass_transform``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeVar

    from typing_extensions import dataclass_transform

    T = TypeVar("T")
    R = TypeVar("R", bound="Record")  # at run time a TypeVar bound by name costs a millisecond
else:

    def dataclass_transform(**_: Any) -> Any:
        return lambda obj: obj


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], T]) -> T:
    """A field whose default is made fresh for each instance (``field(default_factory=list)``)."""
    return _Factory(default_factory)  # type: ignore[return-value]


_MISSING = object()


@dataclass_transform(field_specifiers=(field,))
class Record:
    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}
    _frozen: ClassVar[bool] = False
    # worked out once per class, for a quick __init__
    _index: ClassVar[dict[str, int]] = {}
    _plain: ClassVar[dict[str, Any]] = {}
    _factories: ClassVar[tuple[tuple[str, Callable[[], Any]], ...]] = ()
    _required: ClassVar[int] = 0
    _post: ClassVar[Callable[[Any], None] | None] = None

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
            cls.__setattr__ = Record._refuse_set  # type: ignore[assignment]
            cls.__delattr__ = Record._refuse_del  # type: ignore[assignment]
        cls._index = {name: i for i, name in enumerate(cls._fields)}
        cls._plain = {n: v for n, v in cls._defaults.items() if not isinstance(v, _Factory)}
        cls._factories = tuple((n, v.make) for n, v in cls._defaults.items() if isinstance(v, _Factory))
        required = [i for i, n in enumerate(cls._fields) if n not in cls._defaults]
        cls._required = required[-1] + 1 if required else 0
        cls._post = getattr(cls, "__post_init__", None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        fields = cls._fields
        if not kwargs and len(args) == len(fields):  # every field given in order: the common case
            self.__dict__.update(zip(fields, args, strict=True))
            if cls._post is not None:
                cls._post(self)
            return
        if len(args) > len(fields):
            raise TypeError(f"{cls.__name__}() takes {len(fields)} arguments, got {len(args)}")
        values = self.__dict__
        if cls._plain:
            values.update(cls._plain)
        values.update(zip(fields, args, strict=False))
        if kwargs:
            for name, value in kwargs.items():
                at = cls._index.get(name)
                if at is None or at < len(args):
                    problem = "got an unexpected keyword" if at is None else "got multiple values for"
                    raise TypeError(f"{cls.__name__}() {problem} argument {name!r}")
                values[name] = value
        for name, make in cls._factories:
            if name not in values:
                values[name] = make()
        if len(args) < cls._required:
            for name in fields[len(args) : cls._required]:
                if name not in values:
                    raise TypeError(f"{cls.__name__}() missing argument {name!r}")
        if cls._post is not None:
            cls._post(self)

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

    # frozen classes only (a Python-level __setattr__ on every record would slow every assignment)
    def _refuse_set(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")

    def _refuse_del(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of a frozen {type(self).__name__}")


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


def clone(obj: R) -> R:
    """A shallow copy, as ``copy.copy`` makes it (without importing copy, and weakref with it)."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    return new
