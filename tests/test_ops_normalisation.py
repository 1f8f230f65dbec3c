"""cnnlib.ops.normalisation against PyTorch: layer, group and instance normalisation's values,
gradients (input, weight, bias), running statistics, the sets each pools, and argument errors."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from cnnlib import ops
from cnnlib.ops import group_norm, instance_norm, layer_norm

from hypothesis import given, settings
from hypothesis import strategies as st

DOUBLE = torch.float64


def _random(shape: tuple[int, ...], seed: int, scale: float = 3.0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g, dtype=DOUBLE) * scale + 1).requires_grad_(True)


def _assert_same_values_and_gradients(mine: torch.Tensor, theirs: torch.Tensor, leaves: list, seed: int) -> None:
    """Equal outputs, and equal gradients of a random weighting of them w.r.t. every leaf."""
    torch.testing.assert_close(mine, theirs)
    w = torch.randn(theirs.shape, generator=torch.Generator().manual_seed(seed + 1), dtype=DOUBLE)
    for a, b in zip(torch.autograd.grad(mine, leaves, w), torch.autograd.grad(theirs, leaves, w)):
        torch.testing.assert_close(a, b)


def _parameters(x: torch.Tensor, shape: tuple[int, ...], affine: bool, seed: int) -> tuple:
    """Random weight and bias of ``shape`` (or None, None), and the leaves to differentiate."""
    if not affine:
        return None, None, [x]
    weight, bias = _random(shape, seed + 2, 1.0), _random(shape, seed + 3, 1.0)
    return weight, bias, [x, weight, bias]


def _case_layer(shape: list[int], trailing: int, affine: bool, seed: int) -> None:
    x = _random(tuple(shape), seed)
    normalized = tuple(shape[-trailing:])
    weight, bias, leaves = _parameters(x, normalized, affine, seed)
    _assert_same_values_and_gradients(
        layer_norm(x, normalized, weight, bias), F.layer_norm(x, normalized, weight, bias), leaves, seed
    )


def _case_group(shape: list[int], groups: int, affine: bool, seed: int) -> None:
    x = _random(tuple(shape), seed)
    weight, bias, leaves = _parameters(x, (shape[1],), affine, seed)
    _assert_same_values_and_gradients(
        group_norm(x, groups, weight, bias), F.group_norm(x, groups, weight, bias), leaves, seed
    )


def _case_instance(shape: list[int], affine: bool, seed: int) -> None:
    x = _random(tuple(shape), seed)
    weight, bias, leaves = _parameters(x, (shape[1],), affine, seed)
    _assert_same_values_and_gradients(
        instance_norm(x, weight=weight, bias=bias), F.instance_norm(x, weight=weight, bias=bias), leaves, seed
    )


# --- equal to PyTorch, on fixed cases ------------------------------------------------------------


@pytest.mark.parametrize("affine", [False, True])
def test_fixed_cases_match_pytorch_values_and_gradients(affine: bool) -> None:
    _case_layer([4, 3, 5, 5], 3, affine, seed=0)
    _case_layer([2, 7, 6], 1, affine, seed=1)  # a transformer's layer norm: over the features only
    _case_group([4, 6, 3, 3], 3, affine, seed=2)
    _case_group([3, 4], 2, affine, seed=3)  # (N, C): no positions
    _case_group([2, 6, 2, 2], 1, affine, seed=4)
    _case_group([2, 6, 2, 2], 6, affine, seed=5)
    _case_instance([4, 3, 5, 5], affine, seed=6)
    _case_instance([2, 3, 7], affine, seed=7)  # (N, C, L)


def test_gradcheck_in_double_precision() -> None:
    x = _random((2, 4, 3, 3), 10)
    weight, bias = _random((4,), 11, 1.0), _random((4,), 12, 1.0)
    assert torch.autograd.gradcheck(lambda *t: group_norm(t[0], 2, t[1], t[2]), (x, weight, bias))
    assert torch.autograd.gradcheck(lambda *t: instance_norm(t[0], weight=t[1], bias=t[2]), (x, weight, bias))
    lw, lb = _random((4, 3, 3), 13, 1.0), _random((4, 3, 3), 14, 1.0)
    assert torch.autograd.gradcheck(lambda *t: layer_norm(t[0], (4, 3, 3), t[1], t[2]), (x, lw, lb))


def test_one_group_is_layer_norm_and_one_channel_per_group_is_instance_norm() -> None:
    x = _random((3, 4, 2, 5), 20).detach()
    torch.testing.assert_close(group_norm(x, 1), layer_norm(x, (4, 2, 5)))
    torch.testing.assert_close(group_norm(x, 4), instance_norm(x))


def test_statistics_do_not_depend_on_the_rest_of_the_batch() -> None:
    x = _random((5, 4, 3, 3), 21).detach()
    for norm in (lambda t: layer_norm(t, t.shape[1:]), lambda t: group_norm(t, 2), instance_norm):
        torch.testing.assert_close(norm(x)[:2], norm(x[:2]))


def test_instance_norm_running_statistics_match_pytorch() -> None:
    x = _random((4, 3, 5, 5), 22).detach()
    mine = (torch.randn(3, dtype=DOUBLE), torch.rand(3, dtype=DOUBLE) + 0.5)
    theirs = (mine[0].clone(), mine[1].clone())
    for momentum in (0.1, 0.5):
        torch.testing.assert_close(
            instance_norm(x, *mine, momentum=momentum), F.instance_norm(x, *theirs, momentum=momentum)
        )
        torch.testing.assert_close(mine[0], theirs[0])
        torch.testing.assert_close(mine[1], theirs[1])
    torch.testing.assert_close(
        instance_norm(x, *mine, use_input_stats=False), F.instance_norm(x, *theirs, use_input_stats=False)
    )


def test_outputs_have_zero_mean_and_unit_biased_variance_per_set() -> None:
    x = _random((3, 6, 4, 4), 23).detach()
    for kind, y in (("layer", layer_norm(x, (6, 4, 4), eps=0.0)), ("instance", instance_norm(x, eps=0.0)),
                    ("group", group_norm(x, 3, eps=0.0))):
        sets = ops.statistics_groups(kind, tuple(x.shape), groups=3)
        for s in sets.unique():
            values = y[sets == s]
            torch.testing.assert_close(values.mean(), torch.zeros((), dtype=DOUBLE))
            torch.testing.assert_close(values.var(correction=0), torch.ones((), dtype=DOUBLE))


# --- each pools exactly the sets of ops.statistics_groups ----------------------------------------


def _moved_by_one_value(kind: str, x: torch.Tensor, index: tuple[int, ...], groups: int) -> torch.Tensor:
    """The outputs of our normalisation that change when one input value changes."""

    def norm(t: torch.Tensor) -> torch.Tensor:
        if kind == "layer":
            return layer_norm(t, t.shape[1:])
        if kind == "instance":
            return instance_norm(t)
        return group_norm(t, groups)

    bumped = x.clone()
    bumped[index] += 3.0
    moved = (norm(bumped) - norm(x)).abs() > 1e-9
    moved[index] = True
    return moved


@pytest.mark.parametrize("kind", ["layer", "instance", "group"])
def test_each_pools_the_sets_of_statistics_groups(kind: str) -> None:
    n, c, h, w, groups = 3, 6, 2, 3, 3
    x = _random((n, c, h, w), 24).detach()
    sets = ops.statistics_groups(kind, (n, c, h, w), groups)
    for index in [(0, 0, 0, 0), (1, 2, 1, 2), (2, 5, 0, 1), (1, 3, 1, 0)]:
        assert torch.equal(_moved_by_one_value(kind, x, index, groups), sets == sets[index]), (kind, index)


# --- property tests over shapes and groups (hypothesis) ------------------------------------------


@given(shape=st.lists(st.integers(1, 4), min_size=2, max_size=4), trailing=st.integers(1, 3),
       affine=st.booleans(), seed=st.integers(0, 2**16))
@settings(max_examples=30, deadline=None)
def test_layer_norm_matches_pytorch(shape: list[int], trailing: int, affine: bool, seed: int) -> None:
    trailing = min(trailing, len(shape))
    if torch.Size(shape[-trailing:]).numel() == 1:
        shape[-1] += 1  # a single value has no spread to normalise
    _case_layer(shape, trailing, affine, seed)


@given(n=st.integers(1, 3), groups=st.integers(1, 4), per_group=st.integers(1, 3),
       spatial=st.lists(st.integers(1, 3), max_size=2), affine=st.booleans(), seed=st.integers(0, 2**16))
@settings(max_examples=30, deadline=None)
def test_group_norm_matches_pytorch(
    n: int, groups: int, per_group: int, spatial: list[int], affine: bool, seed: int
) -> None:
    shape = [n, groups * per_group, *spatial]
    if per_group * torch.Size(spatial).numel() == 1:
        shape.append(2)  # a group of one value has no spread to normalise
    _case_group(shape, groups, affine, seed)


@given(n=st.integers(1, 3), c=st.integers(1, 4), spatial=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       affine=st.booleans(), seed=st.integers(0, 2**16))
@settings(max_examples=30, deadline=None)
def test_instance_norm_matches_pytorch(n: int, c: int, spatial: list[int], affine: bool, seed: int) -> None:
    if torch.Size(spatial).numel() == 1:
        spatial[-1] = 2  # PyTorch refuses one position per instance
    _case_instance([n, c, *spatial], affine, seed)


# --- errors --------------------------------------------------------------------------------------


def test_errors_name_the_argument() -> None:
    x = torch.randn(2, 6, 3, 3)
    with pytest.raises(ValueError, match="num_groups must be a positive divisor of the 6 channels"):
        group_norm(x, 4)
    with pytest.raises(ValueError, match="num_groups"):
        group_norm(x, 0)
    with pytest.raises(TypeError, match="num_groups"):
        group_norm(x, 2.0)
    with pytest.raises(ValueError, match="input must have at least 2 dimensions"):
        group_norm(torch.randn(6), 2)
    with pytest.raises(ValueError, match="input must have at least 3 dimensions"):
        instance_norm(torch.randn(2, 6))
    with pytest.raises(ValueError, match="Expected more than 1 spatial element"):
        instance_norm(torch.randn(2, 6, 1, 1))
    with pytest.raises(TypeError, match="input"):
        layer_norm([[1.0, 2.0]], 2)
    with pytest.raises(TypeError, match="input"):
        group_norm(torch.ones(2, 4, dtype=torch.int64), 2)
    with pytest.raises(ValueError, match="normalized_shape must be the shape of the input's last 2 dimensions"):
        layer_norm(x, (3, 4))
    with pytest.raises(ValueError, match="normalized_shape"):
        layer_norm(torch.randn(3), (2, 3))
    with pytest.raises(ValueError, match="normalized_shape must name at least one dimension"):
        layer_norm(x, ())
    with pytest.raises(TypeError, match="normalized_shape"):
        layer_norm(x, "3")
    with pytest.raises(ValueError, match=r"weight must have shape \(3, 3\)"):
        layer_norm(x, (3, 3), torch.ones(3))
    with pytest.raises(ValueError, match=r"bias must have shape \(6,\)"):
        group_norm(x, 2, torch.ones(6), torch.ones(5))
    with pytest.raises(ValueError, match=r"weight must have shape \(6,\)"):
        instance_norm(x, weight=torch.ones(3))
    with pytest.raises(TypeError, match="weight"):
        group_norm(x, 2, [1.0] * 6)
    with pytest.raises(ValueError, match="eps"):
        group_norm(x, 2, eps=-1.0)
    with pytest.raises(ValueError, match="running_mean and running_var must be given together"):
        instance_norm(x, torch.zeros(6))
    with pytest.raises(ValueError, match="use_input_stats=False"):
        instance_norm(x, use_input_stats=False)
    with pytest.raises(TypeError, match="use_input_stats"):
        instance_norm(x, use_input_stats=1)
    with pytest.raises(ValueError, match="momentum"):
        instance_norm(x, torch.zeros(6), torch.ones(6), momentum=2.0)
