"""Argument checks shared by the public functions of cnnlib (one place, one wording).

The policy, applied everywhere: a value of the wrong *type* raises ``TypeError``, a value of the
right type outside what is allowed raises ``ValueError``; both messages name the argument, say
what is allowed and show what was given. Public functions check their arguments once, on entry.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real

from torch import Tensor, nn


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


def check_number(
    name: str,
    value: object,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
) -> float:
    """Return ``value`` as a finite float in ``[low, high]`` (``(low, high]`` with ``low_open``).

    ``None`` bounds are unbounded. Booleans are not numbers here (``True`` is no learning rate).
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, got {value!r} of type {type(value).__name__}")
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and value > high
    if not math.isfinite(value) or too_low or too_high:
        if low == 0 and low_open and high is None:
            allowed = "a positive number"
        elif low is not None and high is not None:
            allowed = f"a number {'above' if low_open else 'from'} {low:g} {'and at most' if low_open else 'to'} {high:g}"
        elif low is not None:
            allowed = f"a number {'above' if low_open else 'of at least'} {low:g}"
        elif high is not None:
            allowed = f"a number of at most {high:g}"
        else:
            allowed = "a finite number"
        raise ValueError(f"{name} must be {allowed}, got {value:g}")
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
    """Return ``value`` if it is one of ``allowed``, else raise naming the choices.

    A value of another type than the choices (a number for a name) is a ``TypeError``.
    """
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        if allowed and not isinstance(value, type(allowed[0])):
            raise TypeError(f"{name} must be one of {choices}, got {value!r} of type {type(value).__name__}")
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value  # type: ignore[return-value]


def check_fraction(name: str, value: object) -> float:
    """Return ``value`` as a float strictly between 0 and 1."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number between 0 and 1, got {value!r}")
    if not 0.0 < float(value) < 1.0:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value}")
    return float(value)


def check_bool(name: str, value: object) -> bool:
    """Return ``value`` if it is ``True`` or ``False``, else raise (no truthy stand-ins)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def check_module(name: str, value: object) -> nn.Module:
    """Return ``value`` if it is a ``torch.nn.Module``, else raise ``TypeError``."""
    if not isinstance(value, nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module, got {type(value).__name__}")
    return value


def check_tensor(name: str, value: object, ndim: int | None = None, what: str = "") -> Tensor:
    """Return ``value`` if it is a tensor (with ``ndim`` dimensions, when given), else raise.

    ``what`` describes the expected shape in the message, e.g. ``"(N, C, H, W)"``.
    """
    shape = f" {what}" if what else ""
    if not isinstance(value, Tensor):
        raise TypeError(f"{name} must be a{shape} tensor, got {type(value).__name__}")
    if ndim is not None and value.ndim != ndim:
        raise ValueError(f"{name} must be a{shape} tensor with {ndim} dimensions, got shape {tuple(value.shape)}")
    return value


def check_floating(name: str, value: Tensor) -> Tensor:
    """Return the tensor ``value`` if it holds floating-point numbers, else raise ``TypeError``."""
    if not value.is_floating_point():
        raise TypeError(f"{name} must hold floating-point numbers, got {value.dtype}")
    return value


def check_image(name: str, value: object, channels: int | None = None) -> Tensor:
    """Return ``value`` if it is a ``(C, H, W)`` image tensor (with ``channels`` channels, when given)."""
    what = "greyscale (1, H, W)" if channels == 1 else f"({channels}, H, W)" if channels else "(C, H, W)"
    value = check_tensor(name, value, 3, what)
    if channels is not None and value.shape[0] != channels:
        raise ValueError(f"{name} must be a {what} tensor, got shape {tuple(value.shape)}")
    return value


def check_widths(name: str, value: object) -> list[int]:
    """The widths of a network's stages: a non-empty sequence of positive integers."""
    widths = [check_int(name, w, 1) for w in value]  # type: ignore[union-attr]
    if not widths:
        raise ValueError(f"{name} must name at least one stage, got an empty sequence")
    return widths


def check_batch(images: object, labels: object = None) -> Tensor:
    """A non-empty ``(N, C, H, W)`` batch ``images``, with one label per image if ``labels`` is given."""
    images = check_tensor("images", images, 4, "(N, C, H, W)")
    if len(images) == 0:
        raise ValueError(f"images must be a non-empty (N, C, H, W) batch, got shape {tuple(images.shape)}")
    if labels is not None and len(labels) != len(images):  # type: ignore[arg-type]
        raise ValueError(f"labels must have one entry per image ({len(images)}), got {len(labels)}")  # type: ignore[arg-type]
    return images
