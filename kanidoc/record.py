"""``@record``: a frozen dataclass that costs one generated method instead of six.

kanidoc's data is frozen dataclasses (about 70 of them on a check run's path). On Python
3.11 and 3.12, ``@dataclass(frozen=True)`` compiles six methods per class with ``exec``
(``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``, ``__delattr__``):
1.2 ms a class, 85 ms of start-up, a fifth of a healthy ``kanidoc check`` (measured with
bench/run.py; Python 3.13 batches them into one ``exec``). ``@record`` lets dataclasses
generate only ``__init__`` and installs shared, field-driven versions of the other five,
with the same meaning:

- fields are set once, in ``__init__``; assigning or deleting one afterwards raises
  ``dataclasses.FrozenInstanceError`` (``object.__setattr__`` in ``__post_init__`` still
  works, as with frozen dataclasses);
- ``==`` compares the ``compare`` fields of two instances of the same class, ``hash``
  hashes them (fields with ``hash=False`` left out), ``repr`` shows the ``repr`` fields;
- ``dataclasses.fields``, ``replace``, ``asdict`` and ``is_dataclass`` work unchanged, and
  type checkers see a frozen dataclass (``dataclass_transform(frozen_default=True)``).

Methods a class defines itself are kept. tests/unit/test_record.py holds ``@record`` to
``@dataclass(frozen=True)`` on these points. Known differences, unused here: a frozen
dataclass cannot subclass a record, and an ``init=False`` field without a default can be
set once after ``__init__``.
"""

from __future__ import annotations

import dataclasses
import inspect  # already loaded by dataclasses
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")


def _fields(cls: type, *, which: str) -> tuple[str, ...]:
    out = []
    for f in dataclasses.fields(cls):
        if (which == "repr" and f.repr) or (which == "compare" and f.compare) or (which == "hash" and (f.hash if f.hash is not None else f.compare)):
            out.append(f.name)
    return tuple(out)


def _setattr(self: Any, name: str, value: Any) -> None:
    if name in self.__dict__ or name not in self.__dataclass_fields__:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
    object.__setattr__(self, name, value)  # the first assignment, from __init__


def _delattr(self: Any, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in type(self).__record_repr__)
    return f"{type(self).__qualname__}({shown})"


def _eq(self: Any, other: Any) -> Any:  # bool, or NotImplemented
    if other.__class__ is not self.__class__:
        return NotImplemented
    names = type(self).__record_compare__
    return tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)


def _hash(self: Any) -> int:
    return hash(tuple(getattr(self, n) for n in type(self).__record_hash__))


_SHARED: dict[str, Callable[..., Any]] = {
    "__setattr__": _setattr, "__delattr__": _delattr, "__repr__": _repr, "__eq__": _eq, "__hash__": _hash,
}


def _make(cls: type[T]) -> type[T]:
    if cls.__dict__.get("__doc__") is None:
        # dataclasses would build this from inspect.signature(cls): ~0.1 ms a class
        cls.__doc__ = f"{cls.__name__}({', '.join(inspect.get_annotations(cls))})"
    own = {name for name in _SHARED if name in cls.__dict__}
    if cls.__dict__.get("__hash__", 0) is None and "__eq__" in cls.__dict__:
        own.discard("__hash__")  # Python's implicit None after a custom __eq__: dataclasses still hash
    cls = dataclasses.dataclass(cls, repr=False, eq=False)  # only __init__ is generated
    cls.__record_repr__ = _fields(cls, which="repr")  # type: ignore[attr-defined]
    cls.__record_compare__ = _fields(cls, which="compare")  # type: ignore[attr-defined]
    cls.__record_hash__ = _fields(cls, which="hash")  # type: ignore[attr-defined]
    for name, method in _SHARED.items():
        if name not in own:
            setattr(cls, name, method)
    return cls


@overload
def record(cls: type[T], /) -> type[T]: ...


@overload
def record() -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def record(cls: type[T] | None = None, /) -> type[T] | Callable[[type[T]], type[T]]:
    """Use as ``@record``, like ``@dataclass(frozen=True)``."""
    if cls is None:
        return _make
    return _make(cls)
