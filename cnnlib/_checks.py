"""Argument checks shared by the public functions of cnnlib (one place, one wording)."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral


def check_int(name: str, value: object, minimum: int | None = None) -> int:
    """Return ``value`` as an int, or raise if it is not an integer of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}")
    value = int(value)
    if minimum is not None and value < minimum:
        what = {0: "a non-negative integer", 1: "a positive integer"}.get(
            minimum, f"an integer >= {minimum}"
        )
        raise ValueError(f"{name} must be {what}, got {value}")
    return value


def check_pair(name: str, value: object, minimum: int | None = None) -> tuple[int, int]:
    """Return ``value`` as a (height, width) pair of ints; a single int is used for both."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a (height, width) pair, got {value!r}")
        return check_int(name, value[0], minimum), check_int(name, value[1], minimum)
    v = check_int(name, value, minimum)
    return v, v


def check_choice(name: str, value: object, allowed: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise naming the choices."""
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value  # type: ignore[return-value]


def check_fraction(name: str, value: object) -> float:
    """Return ``value`` as a float strictly between 0 and 1."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number between 0 and 1, got {value!r}")
    if not 0.0 < float(value) < 1.0:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value}")
    return float(value)


def check_bool(name: str, value: object) -> bool:
    """Return ``value`` if it is ``True`` or ``False``, else raise (no truthy stand-ins)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value
