"""Receptive fields: which input pixels a unit of a CNN can see, by arithmetic and by gradients.

The implementation behind :mod:`cnnlib.arithmetic`, which is where these names are imported from
(``arithmetic.receptive_field``): a private module, kept apart because it is long.
:func:`receptive_field_step` is the recurrence of Araujo et al. (2019) for one layer;
:func:`receptive_field` applies it to every layer of a network, :func:`field_cone` to a 1-D stack
of layers unit by unit; :func:`effective_receptive_field` measures how strongly each input pixel
actually reaches one unit, with the gradient (Luo et al., 2016). Introduced in chapter
"Receptive fields".

How a network is read: the model runs once on a zero input under a ``TorchFunctionMode`` that sees
every torch function called on a tensor derived from the input (``F.conv2d``, ``F.max_pool2d``,
``torch.add``, ...). Each such tensor carries its field (size, jump, effective padding), so
branches and merges (residual additions, concatenations) are followed as they run, and control
flow in ``forward`` is no obstacle. Forward hooks name each call after the layer that made it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import Tensor, nn
from torch.overrides import TorchFunctionMode
from torch.utils.weak import WeakTensorKeyDictionary

from cnnlib._checks import check_int, check_module
from cnnlib.train import eval_mode, model_device

if TYPE_CHECKING:
    import pandas as pd

Pair = tuple[int, int]

#: Columns of :attr:`ReceptiveField.table`, in order.
FIELD_COLUMNS = (
    "layer", "type", "kernel", "stride", "dilation", "padding", "output size",
    "receptive field", "jump", "effective padding",
)

# Operations are recognised by the name of the torch function called (in-place variants and the
# Python operators map to their base name: ``add_``, ``__iadd__`` and ``__radd__`` are ``add``).
_ALIASES = {
    "iadd": "add", "radd": "add", "isub": "sub", "rsub": "sub", "imul": "mul", "rmul": "mul",
    "truediv": "div", "itruediv": "div", "rtruediv": "div", "concat": "cat",
    "concatenate": "cat", "swapaxes": "transpose", "max_pool2d_with_indices": "max_pool2d",
}
#: Operations that act on each position separately. The field passes through them unchanged
#: (several tracked inputs, as in a residual addition, merge their fields).
POINTWISE = frozenset({
    "relu", "relu6", "hardtanh", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish",
    "sigmoid", "tanh", "hardswish", "hardsigmoid", "softplus", "softsign", "prelu", "rrelu",
    "threshold", "logsigmoid", "tanhshrink", "hardshrink", "softshrink", "batch_norm",
    "instance_norm", "group_norm", "local_response_norm", "dropout", "dropout2d",
    "alpha_dropout", "feature_alpha_dropout", "add", "sub", "mul", "div", "neg", "abs", "exp",
    "sqrt", "pow", "clamp", "clip", "maximum", "minimum", "square",
})
#: Operations that change neither the values' positions nor the field, and get no table row.
_BOOKKEEPING = frozenset({
    "contiguous", "clone", "detach", "to", "float", "double", "half", "bfloat16", "type",
    "type_as", "requires_grad",
})
_RESHAPES = frozenset({"view", "reshape", "flatten", "squeeze", "unsqueeze", "view_as",
                       "reshape_as", "unflatten"})
_WINDOWED = frozenset({"conv2d", "max_pool2d", "avg_pool2d", "lp_pool2d"})
# Operations along one dimension (its keyword and default): fine unless it is height or width.
_ALONG_DIM = {"cat": ("dim", 0), "softmax": ("dim", None), "log_softmax": ("dim", None)}
_ARGUMENTS = {  # parameter names of the windowed operations, in the order torch takes them
    "conv2d": ("input", "weight", "bias", "stride", "padding", "dilation", "groups"),
    "max_pool2d": ("input", "kernel_size", "stride", "padding", "dilation", "ceil_mode",
                   "return_indices"),
    "avg_pool2d": ("input", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
                   "divisor_override"),
    "lp_pool2d": ("input", "norm_type", "kernel_size", "stride", "ceil_mode"),
    "pad": ("input", "pad", "mode", "value"),
    "layer_norm": ("input", "normalized_shape", "weight", "bias", "eps"),
}


def _step(size: int, jump: int, effective_padding: int, kernel_size: int, stride: int,
          padding: int, dilation: int) -> tuple[int, int, int]:
    """:func:`receptive_field_step` without the checks, for the loops that call it."""
    return (size + (kernel_size - 1) * dilation * jump, jump * stride,
            effective_padding + padding * jump)


def receptive_field_step(
    size: int,
    jump: int,
    effective_padding: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> tuple[int, int, int]:
    """The receptive field, jump and effective padding after one windowed layer, along one axis.

    Araujo et al.'s (2019) recurrence: a layer of kernel ``k``, stride ``s``, padding ``p`` and
    dilation ``d`` turns the field ``r``, jump ``j`` and effective padding ``P`` of its input's
    units into ``r' = r + (k - 1) d j``, ``j' = j s`` and ``P' = P + p j``. The input image has
    ``r = j = 1`` and ``P = 0``. Every receptive field in cnnlib is computed with it:
    :func:`receptive_field` applies it to each layer of a network, :func:`field_cone` to a 1-D
    stack. Introduced in chapter "Receptive fields".

    Raises:
        TypeError: if an argument is not an integer.
        ValueError: if the field, jump, kernel, stride or dilation is not positive, or a padding
            is negative.

    Examples:
        >>> from cnnlib.arithmetic import receptive_field_step
        >>> receptive_field_step(1, 1, 0, kernel_size=3, padding=1)  # a 3x3 convolution on the image
        (3, 1, 1)
        >>> receptive_field_step(3, 1, 1, kernel_size=2, stride=2)  # then 2x2 max pooling
        (4, 2, 1)
    """
    return _step(
        check_int("size", size, 1), check_int("jump", jump, 1),
        check_int("effective_padding", effective_padding, 0), check_int("kernel_size", kernel_size, 1),
        check_int("stride", stride, 1), check_int("padding", padding, 0), check_int("dilation", dilation, 1),
    )


@dataclass(frozen=True)
class _Field:
    """The field of every unit of one tensor: size r, jump j and effective padding P per
    dimension, and where height and width are in the tensor (negative indices)."""

    size: Pair = (1, 1)
    jump: Pair = (1, 1)
    padding: Pair = (0, 0)
    dims: Pair = (-2, -1)

    def through(self, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair) -> _Field:
        """Araujo et al.'s recurrence for one windowed layer:
        ``r' = r + (k - 1) d j``, ``j' = j s``, ``P' = P + p j``."""
        steps = [_step(*axis) for axis in zip(self.size, self.jump, self.padding, kernel, stride,
                                              padding, dilation)]
        return _Field(
            size=_pair_of(step[0] for step in steps),
            jump=_pair_of(step[1] for step in steps),
            padding=_pair_of(step[2] for step in steps),
            dims=self.dims,
        )


def _pair_of(values: Iterator[int] | Sequence[int]) -> Pair:
    first, second = values
    return int(first), int(second)


def _as_pair(value: Any) -> Pair:
    """An int or a one- or two-element sequence as a (height, width) pair."""
    if isinstance(value, (tuple, list, torch.Size)):
        return (int(value[0]), int(value[0])) if len(value) == 1 else _pair_of(value)
    return int(value), int(value)


def _shown(pair: Pair) -> int | Pair:
    """One int for a square setting, the (height, width) pair otherwise."""
    return pair[0] if pair[0] == pair[1] else pair


@dataclass(frozen=True)
class ReceptiveField:
    """Result of :func:`receptive_field`: the field of the units of a network's last spatial map.

    All sizes are (height, width) pairs in input pixels. Output unit ``(i, j)`` sees the input rows
    ``i * stride[0] - padding[0]`` to ``i * stride[0] - padding[0] + size[0] - 1`` (and likewise
    the columns), before clipping to the input: see :meth:`region`. ``table`` lists every layer
    that ran, in order; ``_repr_html_`` shows it in a notebook.
    Introduced in chapter "Receptive fields".

    Attributes:
        size: the receptive field of one output unit, ``r``.
        stride: the jump ``j`` between neighbouring output units, in input pixels.
        padding: the effective padding ``P``: unit 0's field starts ``P`` pixels before the input.
        input_size: the ``(C, H, W)`` input the network was analysed on.
        output_size: the (height, width) of the last spatial map.
        rows: one record per layer call, the rows of :attr:`table`.

    Examples:
        >>> from torch import nn
        >>> from cnnlib.arithmetic import receptive_field
        >>> field = receptive_field(nn.Conv2d(1, 1, 3, stride=2, padding=1), (1, 8, 8))
        >>> field.size, field.stride, field.padding, field.output_size
        ((3, 3), (2, 2), (1, 1), (4, 4))
    """

    size: Pair
    stride: Pair
    padding: Pair
    input_size: tuple[int, int, int]
    output_size: Pair
    rows: tuple[dict, ...] = field(repr=False, default=())

    @property
    def table(self) -> pd.DataFrame:
        """One row per layer call with the columns of ``FIELD_COLUMNS``.

        ``kernel``, ``stride``, ``dilation`` and ``padding`` are the layer's own settings;
        ``receptive field``, ``jump`` and ``effective padding`` describe its output in input
        pixels. A setting shows as one int when height and width agree, as a pair otherwise.
        """
        import pandas as pd

        records = [{k: _shown(v) if isinstance(v, tuple) else v for k, v in row.items()}
                   for row in self.rows]
        return pd.DataFrame(records, columns=list(FIELD_COLUMNS))

    @property
    def center(self) -> Pair:
        """The output unit in the middle of the last spatial map, ``(H_out // 2, W_out // 2)``."""
        return self.output_size[0] // 2, self.output_size[1] // 2

    def region(self, row: int, col: int, clip: bool = True) -> tuple[range, range]:
        """The input rows and columns that output unit ``(row, col)`` can see.

        Returns two ranges (``image[..., rows.start:rows.stop, cols.start:cols.stop]`` is the
        field); with ``clip`` they are cut to the input, otherwise they may reach into the
        padding (negative indices, or past the last pixel). The range is what the unit can see at
        most: near the border, where windows of intermediate layers hang over their padding, a
        unit may see a few pixels less, and with dilation it skips pixels inside the range.

        Raises:
            ValueError: if ``(row, col)`` is not a unit of the output map.
        """
        out = []
        for name, index, n_out, n_in, j, p, r in zip(
            ("row", "col"), (row, col), self.output_size, self.input_size[1:], self.stride,
            self.padding, self.size,
        ):
            index = check_int(name, index, 0)
            if index >= n_out:
                raise ValueError(f"{name} must be below the output size {n_out}, got {index}")
            start = index * j - p
            stop = start + r
            out.append(range(max(start, 0), min(stop, n_in)) if clip else range(start, stop))
        return out[0], out[1]

    def __repr__(self) -> str:
        return (
            f"ReceptiveField(size={_shown(self.size)}, stride={_shown(self.stride)}, "
            f"padding={_shown(self.padding)}, input_size={self.input_size}, "
            f"output_size={self.output_size}, layers={len(self.rows)})"
        )

    def _repr_html_(self) -> str:
        summary = (
            f"<p>Receptive field <b>{_shown(self.size)}</b>, jump {_shown(self.stride)}, "
            f"effective padding {_shown(self.padding)}, for an input of "
            f"{self.input_size[1]}×{self.input_size[2]} ({len(self.rows)} layers, output "
            f"{self.output_size[0]}×{self.output_size[1]})</p>"
        )
        return summary + self.table.to_html(index=False)


class _Stop(Exception):
    """Raised inside the forward pass to end the analysis at a flatten or at ``until``."""

    def __init__(self, tensors: list[Tensor]) -> None:
        super().__init__("receptive field analysis stopped")
        self.tensors = tensors


def _tensors(value: Any) -> Iterator[Tensor]:
    """The tensors inside nested tuples, lists and dicts."""
    if isinstance(value, Tensor):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _tensors(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _tensors(item)


def _op_name(func: Any) -> str:
    """The base name of a torch function: ``__iadd__`` and ``add_`` are ``add``."""
    name = getattr(func, "__name__", type(func).__name__).strip("_")
    name = _ALIASES.get(name, name)
    return _ALIASES.get(name.rstrip("_"), name.rstrip("_"))


def _bind(op: str, args: tuple, kwargs: dict) -> dict[str, Any]:
    values = dict(zip(_ARGUMENTS[op], args))
    values.update(kwargs)
    return values


class _Tracer(TorchFunctionMode):
    """Follows the field of every tensor derived from the input through one forward pass."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.fields: WeakTensorKeyDictionary = WeakTensorKeyDictionary()
        self.rows: list[dict] = []
        self.stack: list[tuple[str, nn.Module]] = []
        self.model = model

    # -- naming ---------------------------------------------------------------------------------
    def where(self, op: str) -> tuple[str, str]:
        """(layer name, type) of the call being made: the innermost running module names it."""
        name, module = self.stack[-1] if self.stack else ("", self.model)
        if next(module.children(), None) is None:  # a leaf layer: named after its class
            return name or type(module).__name__, type(module).__name__
        return name or type(module).__name__, op  # an operation in a composite's forward

    def describe(self, op: str) -> str:
        name, kind = self.where(op)
        return f"layer '{name}' ({kind})" if kind == op else f"layer '{name}' ({kind}, {op})"

    # -- the rules ----------------------------------------------------------------------------
    def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None):
        kwargs = kwargs or {}
        tracked = [t for t in _tensors((args, kwargs)) if t in self.fields]
        if not tracked:
            return func(*args, **kwargs)
        op = _op_name(func)
        source = tracked[0]
        before = self.fields[source]
        in_shape = tuple(source.shape)
        out = func(*args, **kwargs)
        outputs = list(_tensors(out))
        if not outputs:  # .size(), .dim(), .shape and the like
            return out
        settings: dict[str, Pair] = {}
        record = True
        if op in _BOOKKEEPING:
            after, record = before, False
        elif op in _RESHAPES:
            after, record = self.reshape(op, before, in_shape, outputs[0], source), False
        elif op in ("permute", "transpose"):
            after, record = self.permute(op, before, len(in_shape), args, kwargs), False
        elif op in POINTWISE:
            after = _union([self.fields[t] for t in tracked], self.describe(op))
        elif op in _WINDOWED:
            after, settings = self.windowed(op, before, args, kwargs)
        elif op == "pad":
            after, settings = self.pad(op, before, args, kwargs)
        elif op in _ALONG_DIM or op in ("layer_norm", "linear"):
            self.check_along(op, before, len(outputs[0].shape), args, kwargs)
            after = _union([self.fields[t] for t in tracked], self.describe(op))
        elif op.startswith("adaptive_"):
            name, _ = self.where(op)
            raise ValueError(
                f"{self.describe(op)} has no fixed receptive field: its windows depend on the "
                f"size of its input (a global pooling sees the whole input). Analyse the layers "
                f"before it with until={name!r}, or pass the feature extractor (such as "
                f"model.features)"
            )
        else:
            name, _ = self.where(op)
            raise ValueError(
                f"receptive_field does not know how {self.describe(op)} changes the receptive "
                f"field; it follows convolutions, max, average and power-average pooling, "
                f"padding, element-wise operations, normalisations, activations, concatenation "
                f"along channels and flattening. Analyse the layers before it with "
                f"until={name!r}"
            )
        for t in outputs:
            self.fields[t] = after
        if record:
            self.record(op, outputs[0], after, settings)
        return out

    def record(self, op: str, output: Tensor, after: _Field, settings: dict[str, Pair]) -> None:
        name, kind = self.where(op)
        one = (1, 1)
        self.rows.append({
            "layer": name,
            "type": kind,
            "kernel": settings.get("kernel", one),
            "stride": settings.get("stride", one),
            "dilation": settings.get("dilation", one),
            "padding": settings.get("padding", (0, 0)),
            "output size": (int(output.shape[after.dims[0]]), int(output.shape[after.dims[1]])),
            "receptive field": after.size,
            "jump": after.jump,
            "effective padding": after.padding,
        })

    def check_spatial_last(self, op: str, before: _Field) -> None:
        if before.dims != (-2, -1):
            raise ValueError(
                f"{self.describe(op)} slides over the last two dimensions, but height and width "
                f"are at dimensions {before.dims} of its input"
            )

    def windowed(self, op: str, before: _Field, args: tuple, kwargs: dict) -> tuple[_Field, dict]:
        self.check_spatial_last(op, before)
        values = _bind(op, args, kwargs)
        if op == "conv2d":
            kernel = _pair_of(values["weight"].shape[-2:])
        else:
            kernel = _as_pair(values["kernel_size"])
        stride = values.get("stride", 1 if op == "conv2d" else None)
        if stride is None or (isinstance(stride, (list, tuple)) and not stride):
            stride = kernel  # pooling's default stride is its kernel
        stride = _as_pair(stride)
        dilation = _as_pair(values.get("dilation", 1))  # average pooling has no dilation
        padding = values.get("padding", 0)
        if isinstance(padding, str):  # conv2d's "valid" and "same" (extra pixel after the image)
            padding = (0, 0) if padding == "valid" else _pair_of(
                d * (k - 1) // 2 for k, d in zip(kernel, dilation))
        padding = _as_pair(padding)
        settings = {"kernel": kernel, "stride": stride, "dilation": dilation, "padding": padding}
        return before.through(kernel, stride, padding, dilation), settings

    def pad(self, op: str, before: _Field, args: tuple, kwargs: dict) -> tuple[_Field, dict]:
        values = _bind(op, args, kwargs)
        amounts = list(values["pad"])  # (last_left, last_right, second_last_left, ...)
        before_pad = []
        for dim in before.dims:
            index = 2 * (-dim - 1)
            before_pad.append(int(amounts[index]) if index < len(amounts) else 0)
        padding = _pair_of(before_pad)
        settings = {"padding": padding}
        return before.through((1, 1), (1, 1), padding, (1, 1)), settings

    def reshape(self, op: str, before: _Field, in_shape: tuple, output: Tensor, source: Tensor) -> _Field:
        keep = -min(before.dims)  # height, width and what follows them must survive unchanged
        if len(output.shape) >= keep and tuple(output.shape[-keep:]) == in_shape[-keep:]:
            return before
        raise _Stop([source])  # the map is flattened: the spatial part of the network ends here

    def permute(self, op: str, before: _Field, ndim: int, args: tuple, kwargs: dict) -> _Field:
        rest = args[1:]
        if op == "permute":
            order = rest[0] if len(rest) == 1 and isinstance(rest[0], (list, tuple)) else rest
            order = list(kwargs.get("dims", order))
        else:
            a = kwargs.get("dim0", rest[0] if rest else None)
            b = kwargs.get("dim1", rest[1] if len(rest) > 1 else None)
            order = list(range(ndim))
            order[a % ndim], order[b % ndim] = order[b % ndim], order[a % ndim]
        order = [d % ndim for d in order]
        dims = _pair_of(order.index(d % ndim) - ndim for d in before.dims)
        return _Field(before.size, before.jump, before.padding, dims)

    def check_along(self, op: str, before: _Field, ndim: int, args: tuple, kwargs: dict) -> None:
        if op == "linear":
            touched = {-1}
        elif op == "layer_norm":
            shape = _bind(op, args, kwargs)["normalized_shape"]
            count = 1 if isinstance(shape, int) else len(shape)
            touched = set(range(-count, 0))
        else:
            dim_name, default = _ALONG_DIM[op]
            dim = kwargs.get(dim_name, args[1] if len(args) > 1 else default)
            touched = {int(dim) % ndim - ndim} if dim is not None else set(range(-ndim, 0))
        if touched & set(before.dims):
            raise ValueError(
                f"{self.describe(op)} mixes positions along height or width (dimensions "
                f"{before.dims} of its input), which no window describes"
            )


def _union(fields: list[_Field], where: str) -> _Field:
    """The smallest field that covers the fields of all merged inputs (Araujo et al. take the
    largest; for branches centred on the same point the two agree)."""
    first = fields[0]
    for other in fields[1:]:
        if other.jump != first.jump or other.dims != first.dims:
            raise ValueError(
                f"branches with different jumps {first.jump} and {other.jump} (or layouts) merge "
                f"at {where}: their units do not line up on one grid"
            )
    padding = _pair_of(max(f.padding[i] for f in fields) for i in range(2))
    end = _pair_of(max(f.size[i] - 1 - f.padding[i] for f in fields) for i in range(2))
    size = _pair_of(end[i] + padding[i] + 1 for i in range(2))
    return _Field(size, first.jump, padding, first.dims)


def _check_input_size(input_size: object) -> tuple[int, int, int]:
    if not isinstance(input_size, Sequence) or isinstance(input_size, str):
        raise TypeError(
            f"input_size must be a (channels, height, width) sequence of ints such as "
            f"(3, 224, 224), got {input_size!r}"
        )
    if len(input_size) != 3:
        raise ValueError(
            f"input_size must be (channels, height, width), got {len(input_size)} sizes: "
            f"{tuple(input_size)!r}"
        )
    c, h, w = (check_int("input_size", s, 1) for s in input_size)
    return c, h, w


def _check_until(model: nn.Module, until: object) -> nn.Module | None:
    if until is None:
        return None
    if not isinstance(until, str):
        raise TypeError(f"until must be the name of a layer of the model, got {until!r}")
    modules = dict(model.named_modules())
    if until == "" or until not in modules:
        names = [n for n in modules if n and "." not in n]
        raise ValueError(f"until must name a layer of the model such as {names[:8]}, got {until!r}")
    return modules[until]


def _model_device_dtype(model: nn.Module) -> tuple[torch.device, torch.dtype]:
    parameter = next(model.parameters(), None)
    floating = parameter is not None and parameter.is_floating_point()
    return model_device(model), parameter.dtype if floating else torch.float32


def _trace(model: nn.Module, inputs: Tensor, until: nn.Module | None) -> tuple[_Tracer, list[Tensor]]:
    """Run ``model`` on ``inputs`` under the tracer; return it and the tensors at the end."""
    tracer = _Tracer(model)
    tracer.fields[inputs] = _Field()
    names = {module: name for name, module in model.named_modules()}

    def enter(module: nn.Module, args: tuple) -> None:
        if module is until:
            raise _Stop([t for t in _tensors(args) if t in tracer.fields])
        tracer.stack.append((names[module], module))

    def leave(module: nn.Module, args: tuple, output: Any) -> None:
        tracer.stack.pop()

    handles = [m.register_forward_pre_hook(enter) for m in model.modules()]
    handles += [m.register_forward_hook(leave) for m in model.modules()]
    try:
        with eval_mode(model), tracer:
            try:
                output = model(inputs)
                ends = [t for t in _tensors(output) if t in tracer.fields]
            except _Stop as stop:
                ends = stop.tensors
    except RuntimeError as error:
        raise ValueError(
            f"input_size {tuple(inputs.shape[1:])} does not fit the model, which failed: {error}"
        ) from error
    finally:
        for handle in handles:
            handle.remove()
    if not ends:
        raise ValueError("the model's output (or the input of until) does not depend on its input")
    return tracer, ends


def receptive_field(
    model: nn.Module, input_size: Sequence[int], until: str | None = None
) -> ReceptiveField:
    """The receptive field of the units of a CNN's last spatial map, layer by layer.

    Follows the recurrence of Araujo et al. (2019) through every layer, per dimension:
    ``r_l = r_{l-1} + (k_l - 1) d_l j_{l-1}`` (receptive field), ``j_l = j_{l-1} s_l`` (jump,
    the distance in input pixels between neighbouring units) and ``P_l = P_{l-1} + p_l j_{l-1}``
    (effective padding), from ``r_0 = j_0 = 1``, ``P_0 = 0``, for a layer of kernel ``k``,
    stride ``s``, padding ``p`` and dilation ``d``. Where branches merge (a residual addition, a
    concatenation along channels) the field is the smallest one covering all branches, which is
    the largest one when the branches are centred alike. Introduced in chapter "Receptive fields".

    The model runs once, in evaluation mode and without gradients, on a zero input of shape
    ``(1, *input_size)`` on its own device (build it on the ``meta`` device and nothing is
    computed), and every torch function it calls on a tensor derived from the input is read:
    convolutions and max, average and power-average pooling (``nn.Conv2d``, ``nn.MaxPool2d``,
    ``nn.AvgPool2d``, ``nn.LPPool2d`` or their functions; square or (height, width) settings,
    ``padding="same"``), padding (``F.pad``), element-wise operations and activations, batch,
    group, instance and local response normalisation, dropout, concatenation along channels, and
    permutations with layer normalisation and dense layers over channels (ConvNeXt's blocks).

    Where the analysis ends: at the first flatten of the spatial map (``nn.Flatten``,
    ``torch.flatten``, ``view`` or ``reshape``: the dense layers after it see the whole map), at
    the layer named by ``until`` (its input is analysed, it is not), or at the model's output.
    Anything else raises a ``ValueError`` naming the layer, notably adaptive or global pooling,
    whose field is the whole input: torchvision's AlexNet, VGG and ResNet end in
    ``AdaptiveAvgPool2d`` named ``avgpool``, so analyse them with ``until="avgpool"`` (or pass
    ``model.features``).

    Args:
        model: the network.
        input_size: ``(channels, height, width)`` of one input image.
        until: the qualified name of a layer (``"avgpool"``, ``"layer3"``, ``"features.12"``)
            before which the analysis stops.

    Returns:
        A :class:`ReceptiveField` with ``size``, ``stride`` (the jump), ``padding`` (the
        effective padding) as (height, width) pairs, ``region(row, col)`` and a per-layer
        ``table``.

    Raises:
        TypeError: if ``model`` is not an ``nn.Module``, ``input_size`` is not a sequence of ints
            or ``until`` is not a string.
        ValueError: if ``input_size`` is not three positive sizes, ``until`` names no layer of the
            model, the model fails on such an input, a layer's effect on the field is unknown
            (adaptive pooling, upsampling, ...), or branches with different jumps merge.

    Examples:
        >>> from torch import nn
        >>> from cnnlib.arithmetic import receptive_field
        >>> model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.MaxPool2d(2), nn.Conv2d(4, 4, 3))
        >>> field = receptive_field(model, (1, 32, 32))
        >>> field.size, field.stride
        ((8, 8), (2, 2))
    """
    model = check_module("model", model)
    shape = _check_input_size(input_size)
    stop = _check_until(model, until)
    device, dtype = _model_device_dtype(model)
    inputs = torch.zeros((1, *shape), device=device, dtype=dtype)
    with torch.no_grad():
        tracer, ends = _trace(model, inputs, stop)
    final = _union([tracer.fields[t] for t in ends], "the end of the analysis")
    end = ends[0]
    return ReceptiveField(
        size=final.size,
        stride=final.jump,
        padding=final.padding,
        input_size=shape,
        output_size=(int(end.shape[final.dims[0]]), int(end.shape[final.dims[1]])),
        rows=tuple(tracer.rows),
    )


def effective_receptive_field(
    model: nn.Module,
    input_size: Sequence[int],
    samples: int = 8,
    seed: int = 0,
    inputs: Tensor | None = None,
    until: str | None = None,
) -> Tensor:
    """The effective receptive field of the centre unit of a CNN's last spatial map, as a 2-D map.

    Implements Luo et al. (2016): the gradient of the centre output unit (summed over channels)
    with respect to the input, in absolute value, summed over the input channels and averaged
    over ``samples`` inputs drawn from a standard normal distribution (or over ``inputs``), then
    normalised to sum to 1. Non-zero pixels lie inside the theoretical field of
    :func:`receptive_field`; their weights show how much each one actually counts. The analysis
    ends where :func:`receptive_field`'s does (a flatten, ``until`` or the output), and the model
    runs in evaluation mode.
    Introduced in chapter "Receptive fields".

    Args:
        model: the network, with real weights (not on the ``meta`` device).
        input_size: ``(channels, height, width)`` of one input image.
        samples: number of random inputs to average over (ignored with ``inputs``).
        seed: seed of the random inputs.
        inputs: a batch of inputs of shape ``(N, *input_size)`` to use instead of random ones.
        until: the name of a layer before which the analysis stops, as in :func:`receptive_field`.

    Returns:
        A float ``(height, width)`` tensor on the CPU that sums to 1.

    Raises:
        TypeError: for a model that is not an ``nn.Module``, an ``input_size`` that is not a
            sequence of ints, ``inputs`` that are not a tensor or a non-string ``until``.
        ValueError: for a bad ``input_size``, ``samples`` or ``seed``, ``inputs`` of another
            shape, a model on the ``meta`` device, the errors of :func:`receptive_field`, or a
            gradient that is zero everywhere.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.arithmetic import effective_receptive_field
        >>> _ = torch.manual_seed(0)
        >>> model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 1, 3, padding=1))
        >>> erf = effective_receptive_field(model, (1, 15, 15))
        >>> erf.shape
        torch.Size([15, 15])
        >>> bool(erf[7, 7] > 0) and bool(erf[0, 0] == 0)
        True
    """
    model = check_module("model", model)
    shape = _check_input_size(input_size)
    samples = check_int("samples", samples, 1)
    seed = check_int("seed", seed, 0)
    stop = _check_until(model, until)
    device, dtype = _model_device_dtype(model)
    if device.type == "meta":
        raise ValueError("model is on the meta device: its weights are needed for gradients")
    if inputs is None:
        generator = torch.Generator().manual_seed(seed)
        x = torch.randn((samples, *shape), generator=generator, dtype=dtype).to(device)
    else:
        if not isinstance(inputs, Tensor):
            raise TypeError(f"inputs must be a tensor, got {type(inputs).__name__}")
        if inputs.ndim != 4 or tuple(inputs.shape[1:]) != shape:
            raise ValueError(
                f"inputs must have shape (N, {', '.join(map(str, shape))}), got {tuple(inputs.shape)}"
            )
        x = inputs.detach().to(device=device, dtype=dtype)
    x.requires_grad_(True)
    with torch.enable_grad():
        tracer, ends = _trace(model, x, stop)
        end = ends[0]
        dims = tracer.fields[end].dims
        rows, cols = (d % end.ndim for d in dims)
        centre = end.select(max(rows, cols), end.shape[max(rows, cols)] // 2)
        centre = centre.select(min(rows, cols), end.shape[min(rows, cols)] // 2)
        (grad,) = torch.autograd.grad(centre.sum(), x)
    weights = grad.detach().abs().sum(dim=1).mean(dim=0).cpu()
    total = weights.sum()
    if not total > 0:
        raise ValueError("the gradient of the centre unit is zero everywhere (a dead network?)")
    return weights / total


@dataclass(frozen=True)
class FieldCone:
    """The units of a 1-D stack of windowed layers, and which of them one top unit depends on.

    Built by :func:`field_cone`. Layer 0 is the input. For each layer ``l``: ``centres[l]`` holds
    the position of every unit, in input pixels (the centre of its receptive field), and
    ``inside[l]`` marks the units the middle unit of the top layer depends on; ``sizes[l]`` and
    ``jumps[l]`` are the layer's receptive field and jump. Introduced in chapter "Receptive fields".

    Examples:
        >>> from cnnlib.arithmetic import field_cone
        >>> cone = field_cone(layers=2, kernel_size=3, dilation=2)  # gaps: every other pixel
        >>> cone.field, cone.pixels_read, cone.sizes, cone.jumps
        (9, 5, (1, 5, 9), (1, 1, 1))
    """

    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    centres: tuple[np.ndarray, ...]
    inside: tuple[np.ndarray, ...]
    sizes: tuple[int, ...]
    jumps: tuple[int, ...]

    @property
    def layers(self) -> int:
        """Number of layers above the input."""
        return len(self.kernel_size)

    @property
    def field(self) -> int:
        """Receptive field of the top unit, in input pixels."""
        return self.sizes[-1]

    @property
    def pixels_read(self) -> int:
        """Input pixels the top unit actually depends on (fewer than ``field`` with gaps)."""
        return int(self.inside[0].sum())


def _per_layer(name: str, value: int | Sequence[int], layers: int) -> tuple[int, ...]:
    values = [value] * layers if isinstance(value, int) else list(value)
    if len(values) != layers:
        raise ValueError(f"{name} must be an int or hold one value per layer ({layers}), got {value!r}")
    return tuple(check_int(name, v, 1) for v in values)


def field_cone(
    layers: int,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] = 1,
    dilation: int | Sequence[int] = 1,
    top_units: int = 3,
) -> FieldCone:
    """Follow one unit of a 1-D stack of unpadded windowed layers down to its input pixels.

    The stack has ``layers`` layers, each with a kernel, stride and dilation (one value for all,
    or one per layer). The input is just long enough for the top layer to have ``top_units``
    units; going down from the middle one, unit ``u`` of a layer reads units
    ``u s + i d`` (``i < k``) of the layer below. Its field and jump follow Araujo et al.'s
    recurrence, ``r_l = r_{l-1} + (k_l - 1) d_l j_{l-1}`` and ``j_l = j_{l-1} s_l``.
    Introduced in chapter "Receptive fields".

    Raises:
        TypeError: for settings that are not integers.
        ValueError: for a non-positive number of layers, kernel, stride, dilation or number of
            top units, or per-layer values whose count is not ``layers``.

    Examples:
        >>> from cnnlib.arithmetic import field_cone
        >>> cone = field_cone(layers=3, kernel_size=3, dilation=[1, 2, 4])
        >>> cone.field, cone.pixels_read
        (15, 15)
    """
    layers = check_int("layers", layers, 1)
    top_units = check_int("top_units", top_units, 1)
    ks = _per_layer("kernel_size", kernel_size, layers)
    ss = _per_layer("stride", stride, layers)
    ds = _per_layer("dilation", dilation, layers)
    sizes, jumps = [1], [1]
    for k, s, d in zip(ks, ss, ds):
        size, jump, _ = _step(sizes[-1], jumps[-1], 0, k, s, 0, d)
        sizes.append(size)
        jumps.append(jump)
    counts = [top_units]  # units per layer, from the top down, with no padding
    for k, s, d in zip(reversed(ks), reversed(ss), reversed(ds)):
        counts.append((counts[-1] - 1) * s + d * (k - 1) + 1)
    counts.reverse()
    centres = tuple(np.arange(n) * j + (r - 1) / 2 for n, j, r in zip(counts, jumps, sizes))
    reached = {top_units // 2}
    inside = [np.zeros(counts[-1], dtype=bool)]
    inside[0][list(reached)] = True
    for layer in range(layers, 0, -1):
        k, s, d = ks[layer - 1], ss[layer - 1], ds[layer - 1]
        reached = {u * s + i * d for u in reached for i in range(k)}
        mask = np.zeros(counts[layer - 1], dtype=bool)
        mask[sorted(reached)] = True
        inside.append(mask)
    inside.reverse()
    return FieldCone(ks, ss, ds, centres, tuple(inside), tuple(sizes), tuple(jumps))
