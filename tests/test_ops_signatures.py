"""cnnlib.ops mirrors torch.nn.functional: every operation PyTorch also has takes the same
arguments, in the same order, with the same names and defaults, so that code written against
one runs against the other."""

from __future__ import annotations

import inspect
import re

import pytest
import torch.nn.functional as F

from cnnlib import ops

#: The operations of cnnlib.ops that torch.nn.functional has under the same name.
MIRRORED = sorted(name for name in ops.__all__ if callable(getattr(ops, name)) and hasattr(F, name))


def torch_parameters(name: str) -> list[tuple[str, str]]:
    """``(name, default)`` of each parameter of ``F.<name>``, as PyTorch exposes them.

    Python functions have a signature; built-ins (``F.conv2d``) and boolean dispatchers
    (``F.max_pool2d``) expose theirs only as the first line of the docstring,
    ``conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor``.
    """
    function = getattr(F, name)
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        signature = None
    if signature is not None and not any(
        p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in signature.parameters.values()
    ):
        return [(p.name, "" if p.default is p.empty else repr(p.default)) for p in signature.parameters.values()]
    first = (function.__doc__ or "").strip().splitlines()[0]
    match = re.match(rf"{name}\((.*)\)", first)
    assert match, f"PyTorch exposes no signature for F.{name}: {first!r}"
    parameters = []
    for part in match.group(1).split(","):
        part = part.strip()
        if part in ("*", ""):
            continue
        key, _, default = part.partition("=")
        parameters.append((key.strip(), default.strip()))
    return parameters


def test_the_mirrored_operations_are_those_the_book_builds() -> None:
    assert MIRRORED == [
        "adaptive_avg_pool2d", "adaptive_max_pool2d", "avg_pool2d", "batch_norm", "conv2d",
        "conv_transpose2d", "group_norm", "instance_norm", "layer_norm", "max_pool2d", "unfold",
    ]


@pytest.mark.parametrize("name", MIRRORED)
def test_names_order_and_defaults_match_pytorch(name: str) -> None:
    ours = [(p.name, "" if p.default is p.empty else repr(p.default))
            for p in inspect.signature(getattr(ops, name)).parameters.values()]
    theirs = torch_parameters(name)
    assert [n for n, _ in ours] == [n for n, _ in theirs], f"ops.{name} and F.{name} name their arguments differently"
    for (argument, our_default), (_, their_default) in zip(ours, theirs):
        if their_default and their_default != "None" or our_default == "":
            assert our_default.strip("'") == their_default.strip("'"), (name, argument)


def test_conv2d_naive_takes_the_arguments_of_conv2d() -> None:
    assert inspect.signature(ops.conv2d_naive).parameters.keys() == inspect.signature(ops.conv2d).parameters.keys()
