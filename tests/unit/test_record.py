"""``@record`` behaves as ``@dataclass(frozen=True)`` does (what it saves is measured by bench/run.py)."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kanidoc.record import record


@record
class R:
    a: int
    b: str = "x"
    meta: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    tags: tuple[str, ...] = ()
    cached: int = field(default=0, hash=False)


@dataclass(frozen=True)
class D:
    a: int
    b: str = "x"
    meta: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    tags: tuple[str, ...] = ()
    cached: int = field(default=0, hash=False)


@record
class WithPost:
    name: str
    upper: str = field(init=False, default="")

    def __post_init__(self) -> None:
        object.__setattr__(self, "upper", self.name.upper())


@record
class OwnRepr:
    a: int

    def __repr__(self) -> str:
        return "mine"


def _pair(a: int, b: str, tags: tuple[str, ...], cached: int) -> tuple[R, D]:
    return R(a, b, {"k": a}, tags, cached), D(a, b, {"k": a}, tags, cached)


@given(st.integers(), st.text(max_size=5), st.tuples(st.text(max_size=3)), st.integers(),
       st.integers(), st.text(max_size=5))
def test_same_eq_hash_repr_as_a_frozen_dataclass(a: int, b: str, tags: tuple[str, ...], cached: int,
                                                 a2: int, b2: str) -> None:
    r1, d1 = _pair(a, b, tags, cached)
    r2, d2 = _pair(a2, b2, tags, cached + 1)
    assert (r1 == r2) is (d1 == d2)
    assert hash(r1) == hash(d1) and hash(r2) == hash(d2)  # the same fields, hashed as one tuple
    assert repr(r1).replace("R(", "D(", 1) == repr(d1)
    assert dataclasses.astuple(r1) == dataclasses.astuple(d1)
    assert dataclasses.asdict(dataclasses.replace(r1, a=a2)) == dataclasses.asdict(dataclasses.replace(d1, a=a2))


def test_frozen_like_a_dataclass() -> None:
    r = R(1)
    for target in (r, D(1)):
        with pytest.raises(dataclasses.FrozenInstanceError):
            target.a = 2  # type: ignore[misc]
        with pytest.raises(dataclasses.FrozenInstanceError):
            del target.b  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.new = 1  # type: ignore[attr-defined]
    assert r.a == 1 and r.b == "x"
    assert R(1) != D(1) and R(1) == R(1, meta={"other": 1})  # meta does not compare
    assert hash(R(1, cached=5)) == hash(R(1, cached=6))  # hash=False fields are left out
    assert len({R(1), R(1), R(2)}) == 2


def test_post_init_copy_pickle_and_own_methods() -> None:
    w = WithPost("abc")
    assert w.upper == "ABC" and repr(w) == "WithPost(name='abc', upper='ABC')"
    assert copy.deepcopy(w) == w and pickle.loads(pickle.dumps(R(3, tags=("t",)))) == R(3, tags=("t",))
    assert repr(OwnRepr(1)) == "mine"
    assert dataclasses.is_dataclass(R) and [f.name for f in dataclasses.fields(R)] == ["a", "b", "meta", "tags", "cached"]


def test_a_custom_eq_keeps_the_field_hash_like_dataclasses() -> None:
    # Python sets __hash__ = None next to a custom __eq__; dataclass(frozen=True) still hashes
    @record
    class E:
        a: int

        def __eq__(self, other: object) -> bool:
            return isinstance(other, E) and other.a == self.a

    @dataclass(frozen=True)
    class F:
        a: int

        def __eq__(self, other: object) -> bool:
            return isinstance(other, F) and other.a == self.a

    assert hash(E(1)) == hash(F(1)) == hash((1,))
