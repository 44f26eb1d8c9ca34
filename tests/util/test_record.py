"""util.record: the dataclass replacement the build and detection paths use."""

from __future__ import annotations

import pytest

from hatch_torch.util.record import Record, as_dict, clone, field, replace


class Point(Record):
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)


class Point3(Point):
    z: int = 5


class Frozen(Record, frozen=True):
    name: str
    size: int = 1


class Late(Record):
    a: int

    def __post_init__(self) -> None:
        self.doubled = self.a * 2


def test_positional_keyword_and_defaults() -> None:
    assert Point(1) == Point(x=1, y=0, tags=[])
    p = Point(1, 2, ["a"])
    assert (p.x, p.y, p.tags) == (1, 2, ["a"])
    assert Point(1).tags is not Point(1).tags  # a fresh list each time
    assert repr(Point(1, 2)) == "Point(x=1, y=2, tags=[])"


def test_bad_arguments_are_type_errors() -> None:
    with pytest.raises(TypeError, match="missing argument 'x'"):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'w'"):
        Point(1, w=2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="multiple values for argument 'x'"):
        Point(1, x=2)  # type: ignore[misc]
    with pytest.raises(TypeError, match="takes 3 arguments"):
        Point(1, 2, [], 4)  # type: ignore[call-arg]


def test_subclass_fields_follow_the_base_fields() -> None:
    assert Point3._fields == ("x", "y", "tags", "z")
    assert Point3(1, 2, [], 3).z == 3
    assert Point3(1) != Point(1)  # another class is never equal


def test_equality_and_hashing() -> None:
    assert Point(1, 2) == Point(1, 2)
    assert Point(1, 2) != Point(2, 1)
    with pytest.raises(TypeError):
        hash(Point(1))
    assert hash(Frozen("a")) == hash(Frozen("a", 1))
    assert {Frozen("a"), Frozen("a")} == {Frozen("a")}


def test_frozen_refuses_changes() -> None:
    f = Frozen("a")
    with pytest.raises(AttributeError, match="frozen"):
        f.name = "b"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="frozen"):
        del f.name  # type: ignore[misc]


def test_as_dict_and_replace() -> None:
    class Outer(Record):
        inner: Point
        more: list[Point] = field(default_factory=list)
        by: dict[str, Point] = field(default_factory=dict)

    o = Outer(Point(1), [Point(2)], {"k": Point(3, tags=["t"])})
    assert as_dict(o) == {
        "inner": {"x": 1, "y": 0, "tags": []},
        "more": [{"x": 2, "y": 0, "tags": []}],
        "by": {"k": {"x": 3, "y": 0, "tags": ["t"]}},
    }
    assert as_dict(o)["by"]["k"]["tags"] is not o.by["k"].tags  # copied, as dataclasses.asdict does
    moved = replace(Point(1, 2, ["a"]), y=5)
    assert moved == Point(1, 5, ["a"])
    assert replace(Late(2), a=3).doubled == 6  # __post_init__ runs again


def test_post_init_runs() -> None:
    assert Late(4).doubled == 8


def test_clone_is_a_shallow_copy() -> None:
    p = Point(1, 2, ["a"])
    p.extra = "state"  # type: ignore[attr-defined]  # what __post_init__ or a caller added
    c = clone(p)
    assert c == p
    assert c is not p
    assert c.tags is p.tags
    assert c.extra == "state"  # type: ignore[attr-defined]
    c.y = 5
    assert p.y == 2
    assert clone(Frozen("a")) == Frozen("a")
