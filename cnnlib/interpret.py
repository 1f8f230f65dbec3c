"""What a trained network looks at: attribution maps, feature visualisation, adversarial examples.

Each method answers "which pixels (or which parts of a feature map) make the network give this
score?" in its own way:

- :func:`saliency` and :func:`smooth_grad` -- the gradient of the class score with respect to
  the input (Simonyan et al., 2014), averaged over noisy copies (Smilkov et al., 2017);
- :func:`occlusion` -- how much the score drops when a window of the image is covered (Zeiler and
  Fergus, 2014);
- :func:`class_activation_map` and :func:`grad_cam` -- a weighted sum of a layer's feature maps
  (Zhou et al., 2016; Selvaraju et al., 2017), brought onto the image by :func:`upsample_map`;
- :func:`activation_maximisation` -- an input optimised to excite one class or one channel
  (Olah et al., 2017), with the regularisers that make it legible;
- :func:`fgsm` -- the fast gradient sign method's adversarial inputs (Goodfellow et al., 2015);
- :func:`top_activating` and :func:`cascading_randomisation` -- the images that excite a channel
  most, and the sanity check of Adebayo et al. (2018).

Every function runs the model in evaluation mode on its own device and restores its mode.
``target`` is a class index (one for the whole batch) or one index per input.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from cnnlib._checks import check_int, check_module, check_number, check_pair, check_tensor
from cnnlib.activations import find_layer
from cnnlib.train import eval_mode, model_device

__all__ = [
    "saliency",
    "smooth_grad",
    "occlusion",
    "class_activation_map",
    "grad_cam",
    "upsample_map",
    "activation_maximisation",
    "fgsm",
    "top_activating",
    "cascading_randomisation",
]

Target = int | Sequence[int] | Tensor


def _check_inputs(inputs: object) -> Tensor:
    inputs = check_tensor("inputs", inputs, 4, "(N, C, H, W)")
    if not inputs.is_floating_point():
        raise TypeError(f"inputs must hold floating-point numbers, got {inputs.dtype}")
    return inputs


def _targets(target: object, count: int, classes: int, device: torch.device) -> Tensor:
    """``target`` as one class index per input, checked against the number of outputs."""
    if isinstance(target, Tensor):
        values = target.detach().to("cpu", torch.int64).reshape(-1).tolist()
    elif isinstance(target, Sequence) and not isinstance(target, str):
        values = [check_int("target", t) for t in target]
    else:
        values = [check_int("target", target)] * count
    if len(values) != count:
        raise ValueError(f"target must be one class index or one per input ({count}), got {len(values)}")
    bad = [t for t in values if not 0 <= t < classes]
    if bad:
        raise ValueError(f"target must be a class index from 0 to {classes - 1}, got {bad[0]}")
    return torch.tensor(values, dtype=torch.int64, device=device)


def _scores(model: nn.Module, inputs: Tensor, target: object) -> Tensor:
    """The logit of each input's target class (one number per input)."""
    logits = model(inputs)
    index = _targets(target, len(inputs), logits.shape[1], logits.device)
    return logits.gather(1, index[:, None])[:, 0]


def _input_gradient(model: nn.Module, inputs: Tensor, target: object) -> Tensor:
    inputs = inputs.detach().clone().requires_grad_(True)
    (gradient,) = torch.autograd.grad(_scores(model, inputs, target).sum(), inputs)
    return gradient


def saliency(model: nn.Module, inputs: Tensor, target: Target) -> Tensor:
    """The saliency map of Simonyan et al. (2014): ``|d score / d input|``, largest over channels.

    ``score`` is the logit of the ``target`` class; the map has one value per pixel, the absolute
    input gradient's maximum over the colour channels, so it says how much a small change of that
    pixel would move the score. Returns ``(N, H, W)``. Introduced in chapter
    "What a trained network sees".

    Raises:
        TypeError: for a model that is not an ``nn.Module`` or inputs that are not a float tensor.
        ValueError: for inputs that are not ``(N, C, H, W)`` or a target out of range.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.interpret import saliency
        >>> model = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
        >>> with torch.no_grad():
        ...     _ = model[1].weight.copy_(torch.tensor([[1.0, -2.0, 0.0, 3.0], [0.0, 0.0, 0.0, 0.0]]))
        >>> saliency(model, torch.zeros(1, 1, 2, 2), target=0)
        tensor([[[1., 2.],
                 [0., 3.]]])
    """
    model = check_module("model", model)
    inputs = _check_inputs(inputs)
    with eval_mode(model):
        gradient = _input_gradient(model, inputs.to(model_device(model)), target)
    return gradient.abs().amax(dim=1)


def smooth_grad(
    model: nn.Module,
    inputs: Tensor,
    target: Target,
    samples: int = 25,
    stdev: float = 0.15,
    seed: int = 0,
) -> Tensor:
    """SmoothGrad (Smilkov et al., 2017): the saliency map averaged over noisy copies of the input.

    Each input gets ``samples`` copies with Gaussian noise of standard deviation ``stdev`` added
    (in the inputs' units: for images in [0, 1], the noise level as a fraction of their range,
    Smilkov et al. found 10 to 20 % best); the absolute input gradients are averaged over the
    copies, then the largest over the channels is taken, as :func:`saliency` does. The noise is
    drawn from a generator seeded with ``seed``, in the order Captum's ``NoiseTunnel`` draws it
    from torch's global one (each input's copies together), so the two agree for the same seed.
    Returns ``(N, H, W)``. Introduced in chapter "What a trained network sees".

    Raises:
        TypeError: for arguments of the wrong type.
        ValueError: for a non-positive number of samples, a negative ``stdev``, inputs that are
            not ``(N, C, H, W)`` or a target out of range.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.interpret import saliency, smooth_grad
        >>> model = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))  # linear: the gradient ignores noise
        >>> x = torch.rand(3, 1, 2, 2)
        >>> torch.allclose(smooth_grad(model, x, target=1, samples=4), saliency(model, x, target=1))
        True
    """
    model = check_module("model", model)
    inputs = _check_inputs(inputs)
    samples = check_int("samples", samples, 1)
    stdev = check_number("stdev", stdev, 0.0)
    seed = check_int("seed", seed, 0)
    device = model_device(model)
    count = len(inputs)
    if isinstance(target, Sequence | Tensor) and not isinstance(target, str):
        target = [int(t) for t in (target.reshape(-1).tolist() if isinstance(target, Tensor) else target)]
        if len(target) != count:
            raise ValueError(f"target must be one class index or one per input ({count}), got {len(target)}")
        target = [t for t in target for _ in range(samples)]
    generator = torch.Generator().manual_seed(seed)
    repeated = inputs.detach().cpu().repeat_interleave(samples, dim=0)
    noise = torch.normal(0.0, torch.full(repeated.shape, stdev), generator=generator)
    with eval_mode(model):
        gradient = _input_gradient(model, (repeated + noise).to(device), target)
    averaged = gradient.abs().reshape(count, samples, *inputs.shape[1:]).mean(dim=1)
    return averaged.amax(dim=1)


def occlusion(
    model: nn.Module,
    inputs: Tensor,
    target: Target,
    window: int | tuple[int, int] = 4,
    stride: int | tuple[int, int] = 2,
    baseline: float = 0.0,
) -> Tensor:
    """Occlusion (Zeiler and Fergus, 2014): how much the class score drops when a window is covered.

    A ``window`` (all channels) slides over the image in steps of ``stride``; at each position the
    window is set to ``baseline`` and the drop ``score(input) - score(covered input)`` is
    credited to every pixel under it. A pixel's value is the mean over the windows that cover it
    (the last position of a row or column may stick out of the image and is cut off, so every
    pixel is covered), as in Captum's ``Occlusion``. Returns ``(N, H, W)``; positive where
    covering the pixel lowers the score. Introduced in chapter "What a trained network sees".

    Raises:
        TypeError: for arguments of the wrong type.
        ValueError: for a window larger than the image, a stride larger than the window, inputs
            that are not ``(N, C, H, W)`` or a target out of range.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.interpret import occlusion
        >>> model = nn.Sequential(nn.Flatten(), nn.Linear(16, 1, bias=False))
        >>> _ = nn.init.ones_(model[1].weight)  # the score is the sum of the pixels
        >>> occlusion(model, torch.ones(1, 1, 4, 4), target=0, window=2, stride=2)
        tensor([[[4., 4., 4., 4.],
                 [4., 4., 4., 4.],
                 [4., 4., 4., 4.],
                 [4., 4., 4., 4.]]])
    """
    model = check_module("model", model)
    inputs = _check_inputs(inputs)
    wh, ww = check_pair("window", window, 1)
    sh, sw = check_pair("stride", stride, 1)
    baseline = check_number("baseline", baseline)
    n, _, height, width = inputs.shape
    if wh > height or ww > width:
        raise ValueError(f"window must fit in the {height}x{width} image, got {(wh, ww)}")
    if (sh > wh and wh < height) or (sw > ww and ww < width):
        raise ValueError(f"stride must be at most the window {(wh, ww)}, got {(sh, sw)}")
    rows = range(0, math.ceil((height - wh) / sh) * sh + 1, sh)
    cols = range(0, math.ceil((width - ww) / sw) * sw + 1, sw)
    device = model_device(model)
    inputs = inputs.detach().to(device)
    total = torch.zeros(n, height, width, device=device)
    count = torch.zeros(height, width, device=device)
    with eval_mode(model), torch.no_grad():
        reference = _scores(model, inputs, target)
        for top in rows:
            for left in cols:
                covered = inputs.clone()
                covered[:, :, top:top + wh, left:left + ww] = baseline
                drop = reference - _scores(model, covered, target)
                total[:, top:top + wh, left:left + ww] += drop[:, None, None]
                count[top:top + wh, left:left + ww] += 1
    return total / count


def _layer_maps_and_gradients(model: nn.Module, layer: str | nn.Module, inputs: Tensor, target: object,
                              ) -> tuple[Tensor, Tensor]:
    """The layer's output for ``inputs`` and the gradient of the target scores with respect to it."""
    name, module = find_layer(model, layer)
    captured: list[Tensor] = []
    handle = module.register_forward_hook(lambda m, args, output: captured.append(output))
    try:
        with eval_mode(model):
            scores = _scores(model, inputs.detach().to(model_device(model)), target)
    finally:
        handle.remove()
    if not captured:
        raise ValueError(f"layer {name!r} was not called by the model's forward pass")
    maps = captured[0]
    if maps.ndim != 4:
        raise ValueError(f"layer {name!r} must output (N, C, H, W) maps, got shape {tuple(maps.shape)}")
    (gradient,) = torch.autograd.grad(scores.sum(), maps)
    return maps.detach(), gradient


def grad_cam(
    model: nn.Module,
    layer: str | nn.Module,
    inputs: Tensor,
    target: Target,
    relu: bool = True,
) -> Tensor:
    """Grad-CAM (Selvaraju et al., 2017): the layer's feature maps weighted by their mean gradient.

    With ``A^k`` the layer's maps and ``y^c`` the target logit, each map's weight is
    ``alpha_k = mean over (i, j) of d y^c / d A^k_ij``, and the map is
    ``ReLU(sum_k alpha_k A^k)`` (without the ReLU if ``relu`` is false): the parts of the layer's
    grid whose features raise the score. Returns ``(N, h, w)`` at the layer's resolution;
    :func:`upsample_map` brings it onto the image. Introduced in chapter
    "What a trained network sees".

    Raises:
        TypeError: for arguments of the wrong type.
        ValueError: for a layer that is not in the model or outputs no ``(N, C, H, W)`` maps,
            or a target out of range.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.interpret import grad_cam
        >>> model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
        ...                       nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))
        >>> grad_cam(model, "1", torch.rand(2, 1, 8, 8), target=[0, 2]).shape
        torch.Size([2, 8, 8])
    """
    model = check_module("model", model)
    inputs = _check_inputs(inputs)
    if not isinstance(relu, bool):
        raise TypeError(f"relu must be True or False, got {relu!r}")
    maps, gradient = _layer_maps_and_gradients(model, layer, inputs, target)
    weights = gradient.mean(dim=(2, 3), keepdim=True)
    cam = (weights * maps).sum(dim=1)
    return F.relu(cam) if relu else cam


def class_activation_map(
    model: nn.Module,
    layer: str | nn.Module,
    inputs: Tensor,
    target: Target,
    linear: str | nn.Module | None = None,
) -> Tensor:
    """The class activation map (Zhou et al., 2016) of a network that ends in global average
    pooling and one linear layer: ``M_c(i, j) = sum_k w_ck A^k_ij``.

    ``layer`` is the layer whose maps ``A^k`` are averaged into the features; ``linear`` is the
    final ``nn.Linear`` (by default the model's last one), whose row ``w_c`` weighs them. The
    class score is then the mean of ``M_c`` plus the bias, so the map shows where the score comes
    from. On such a network it equals :func:`grad_cam` without the ReLU times the number of
    positions ``h * w`` (each ``alpha_k`` is ``w_ck / (h w)``). Returns ``(N, h, w)``.
    Introduced in chapter "What a trained network sees".

    Raises:
        TypeError: for arguments of the wrong type, or a ``linear`` that is not an ``nn.Linear``.
        ValueError: for a layer that is not in the model, a linear layer whose inputs are not the
            layer's channels, or a target out of range.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.interpret import class_activation_map
        >>> model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
        ...                       nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))
        >>> x = torch.rand(2, 1, 8, 8)
        >>> cam = class_activation_map(model, "1", x, target=1)
        >>> torch.allclose(cam.mean(dim=(1, 2)) + model[4].bias[1], model(x)[:, 1])
        True
    """
    model = check_module("model", model)
    inputs = _check_inputs(inputs)
    name, module = find_layer(model, layer)
    if linear is None:
        linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
        if not linears:
            raise ValueError("model must end in an nn.Linear layer for a class activation map, it has none")
        head = linears[-1]
    else:
        head = find_layer(model, linear)[1]
        if not isinstance(head, nn.Linear):
            raise TypeError(f"linear must be an nn.Linear layer of the model, got {type(head).__name__}")
    captured: list[Tensor] = []
    handle = module.register_forward_hook(lambda m, args, output: captured.append(output.detach()))
    try:
        with eval_mode(model), torch.no_grad():
            logits = model(inputs.to(model_device(model)))
    finally:
        handle.remove()
    if not captured or captured[0].ndim != 4:
        raise ValueError(f"layer {name!r} must output (N, C, H, W) maps in the forward pass")
    maps = captured[0]
    if maps.shape[1] != head.in_features:
        raise ValueError(f"linear must take the {maps.shape[1]} channels of layer {name!r} as inputs, "
                         f"got in_features={head.in_features}")
    index = _targets(target, len(inputs), logits.shape[1], maps.device)
    return torch.einsum("nk,nkhw->nhw", head.weight.detach()[index], maps)


def upsample_map(maps: Tensor, size: int | tuple[int, int]) -> Tensor:
    """Maps ``(N, h, w)`` (or one ``(h, w)``) resized to the image's ``size`` by bilinear interpolation.

    A Grad-CAM or CAM map has one value per position of the layer's grid; each position sees a
    patch of the image centred on it, so the map is stretched over the image and interpolated
    between the centres (``align_corners=False``, as the papers' code does). Introduced in
    chapter "What a trained network sees".

    Raises:
        TypeError: for maps that are not a tensor or a size that is not an integer (pair).
        ValueError: for maps that are not 2-D or 3-D, or a non-positive size.

    Examples:
        >>> import torch
        >>> from cnnlib.interpret import upsample_map
        >>> upsample_map(torch.ones(2, 7, 7), 28).shape
        torch.Size([2, 28, 28])
        >>> upsample_map(torch.tensor([[0.0, 1.0]]), (1, 4))
        tensor([[0.0000, 0.2500, 0.7500, 1.0000]])
    """
    maps = check_tensor("maps", maps)
    if maps.ndim not in (2, 3):
        raise ValueError(f"maps must be (N, h, w) or (h, w), got shape {tuple(maps.shape)}")
    size = check_pair("size", size, 1)
    batch = maps if maps.ndim == 3 else maps[None]
    out = F.interpolate(batch[:, None].float(), size=size, mode="bilinear", align_corners=False)[:, 0]
    return out if maps.ndim == 3 else out[0]


def _gaussian_blur(images: Tensor, sigma: float) -> Tensor:
    radius = max(1, math.ceil(2 * sigma))
    x = torch.arange(-radius, radius + 1, dtype=images.dtype, device=images.device)
    kernel = torch.exp(-(x**2) / (2 * sigma**2))
    kernel = kernel / kernel.sum()
    channels = images.shape[1]
    padded = F.pad(images, (radius, radius, radius, radius), mode="replicate")
    out = F.conv2d(padded, kernel.view(1, 1, 1, -1).expand(channels, 1, 1, -1), groups=channels)
    return F.conv2d(out, kernel.view(1, 1, -1, 1).expand(channels, 1, -1, 1), groups=channels)


def activation_maximisation(
    model: nn.Module,
    target: int | Sequence[int],
    shape: Sequence[int] = (1, 28, 28),
    layer: str | nn.Module | None = None,
    steps: int = 200,
    lr: float = 0.05,
    jitter: int = 2,
    blur: float = 0.0,
    blur_every: int = 4,
    l2: float = 0.0,
    value_range: tuple[float, float] = (0.0, 1.0),
    seed: int = 0,
) -> Tensor:
    """Inputs optimised to excite one class (its logit) or one channel of a layer (its mean).

    Feature visualisation as Olah et al. (2017) describe it: start from faint noise and follow
    the gradient of the objective with Adam (``lr``, ``steps``), keeping the image in
    ``value_range``. Unregularised, the optimum is high-frequency noise the network happens to
    respond to; three regularisers make it legible: ``jitter`` (the image is shifted by a random
    offset of up to that many pixels before each step, so a pattern must work wherever it
    sits), ``blur`` (every ``blur_every`` steps the image is smoothed by a Gaussian of that
    standard deviation in pixels; 0 turns it off) and ``l2`` (a penalty ``l2 * mean(x ** 2)``
    that keeps pixels that do not help at zero). ``target`` is one index (a class, or with
    ``layer`` a channel) or several, optimised together in one batch. Returns ``(T, C, H, W)``
    for ``T`` targets. Introduced in chapter "What a trained network sees".

    Raises:
        TypeError: for arguments of the wrong type.
        ValueError: for a target out of range, a layer that is not in the model, non-positive
            steps or learning rate, negative regularisers or an empty value range.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.interpret import activation_maximisation
        >>> model = nn.Sequential(nn.Flatten(), nn.Linear(16, 2))
        >>> images = activation_maximisation(model, [0, 1], shape=(1, 4, 4), steps=20, jitter=0)
        >>> images.shape
        torch.Size([2, 1, 4, 4])
        >>> start = torch.full((2, 1, 4, 4), 0.5)  # grey, where the optimisation begins
        >>> bool((model(images)[[0, 1], [0, 1]] > model(start)[[0, 1], [0, 1]]).all())
        True
    """
    model = check_module("model", model)
    targets = [check_int("target", t) for t in target] if isinstance(target, Sequence) else [check_int("target", target)]
    if not targets:
        raise ValueError("target must name at least one class or channel, got none")
    shape = tuple(check_int("shape", s, 1) for s in shape)
    if len(shape) != 3:
        raise ValueError(f"shape must be (C, H, W), got {shape}")
    steps = check_int("steps", steps, 1)
    lr = check_number("lr", lr, 0.0, low_open=True)
    jitter = check_int("jitter", jitter, 0)
    blur = check_number("blur", blur, 0.0)
    blur_every = check_int("blur_every", blur_every, 1)
    l2 = check_number("l2", l2, 0.0)
    low, high = (check_number("value_range", v) for v in value_range)
    if not low < high:
        raise ValueError(f"value_range must be (low, high) with low < high, got {value_range}")
    seed = check_int("seed", seed, 0)
    device = model_device(model)
    module = find_layer(model, layer)[1] if layer is not None else None
    generator = torch.Generator().manual_seed(seed)
    start = low + (high - low) * (0.5 + 0.01 * torch.randn((len(targets), *shape), generator=generator))
    image = start.to(device).requires_grad_(True)
    optimizer = torch.optim.Adam([image], lr=lr)
    index = torch.tensor(targets, device=device)
    captured: list[Tensor] = []
    handle = module.register_forward_hook(lambda m, a, out: captured.append(out)) if module is not None else None
    try:
        with eval_mode(model):
            for step in range(steps):
                shifted = image
                if jitter:
                    dy, dx = torch.randint(-jitter, jitter + 1, (2,), generator=generator).tolist()
                    shifted = torch.roll(image, shifts=(dy, dx), dims=(2, 3))
                captured.clear()
                logits = model(shifted)
                if module is None:
                    outputs = logits
                else:
                    if not captured:
                        raise ValueError("layer was not called by the model's forward pass")
                    outputs = captured[0].flatten(2).mean(dim=2) if captured[0].ndim == 4 else captured[0]
                if step == 0 and not (0 <= min(targets) and max(targets) < outputs.shape[1]):
                    raise ValueError(f"target must be an index from 0 to {outputs.shape[1] - 1}, got {targets}")
                objective = outputs.gather(1, index[:, None]).sum() - l2 * (image**2).mean(dim=(1, 2, 3)).sum()
                optimizer.zero_grad()
                (-objective).backward()
                optimizer.step()
                with torch.no_grad():
                    if blur and (step + 1) % blur_every == 0:
                        image.copy_(_gaussian_blur(image, blur))
                    image.clamp_(low, high)
    finally:
        if handle is not None:
            handle.remove()
    return image.detach()


def fgsm(
    model: nn.Module,
    inputs: Tensor,
    labels: Tensor,
    epsilon: float,
    clamp: tuple[float, float] | None = None,
) -> Tensor:
    """Adversarial inputs by the fast gradient sign method (Goodfellow et al., 2015).

    ``x + epsilon * sign(d loss / d x)``, with the cross-entropy loss of the true ``labels``: one
    step of size ``epsilon`` on every pixel in the direction that raises the loss most to first
    order under the L-infinity constraint. The perturbation therefore has L-infinity norm exactly
    ``epsilon`` (wherever the gradient is not zero); with ``clamp=(low, high)`` the result is
    clipped to that range (valid images), which can only shrink it. Introduced in chapter
    "What a trained network sees".

    Raises:
        TypeError: for arguments of the wrong type.
        ValueError: for a negative ``epsilon``, labels that are not one per input or out of range.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.interpret import fgsm
        >>> model = nn.Sequential(nn.Flatten(), nn.Linear(16, 3))
        >>> x = torch.rand(5, 1, 4, 4)
        >>> adversarial = fgsm(model, x, torch.tensor([0, 1, 2, 0, 1]), epsilon=0.1)
        >>> round(float((adversarial - x).abs().max()), 6)
        0.1
    """
    model = check_module("model", model)
    inputs = _check_inputs(inputs)
    labels = check_tensor("labels", labels, 1, "(N,)")
    epsilon = check_number("epsilon", epsilon, 0.0)
    if len(labels) != len(inputs):
        raise ValueError(f"labels must hold one label per input ({len(inputs)}), got {len(labels)}")
    device = model_device(model)
    x = inputs.detach().to(device).requires_grad_(True)
    with eval_mode(model):
        logits = model(x)
        target = _targets(labels, len(inputs), logits.shape[1], device)
        (gradient,) = torch.autograd.grad(F.cross_entropy(logits, target), x)
    adversarial = x.detach() + epsilon * gradient.sign()
    if clamp is not None:
        low, high = (check_number("clamp", v) for v in clamp)
        adversarial = adversarial.clamp(low, high)
    return adversarial


@torch.no_grad()
def top_activating(
    model: nn.Module,
    layer: str | nn.Module,
    images: Tensor,
    channel: int,
    k: int = 8,
    batch_size: int = 1000,
) -> tuple[Tensor, Tensor]:
    """The ``k`` images that excite one channel of a layer most: ``(indices, activations)``.

    A channel's response to an image is the largest value of its feature map (somewhere in the
    image, the pattern it detects is present); the images are ranked by it, strongest first.
    Introduced in chapter "What a trained network sees".

    Raises:
        TypeError: for arguments of the wrong type.
        ValueError: for a layer that is not in the model or outputs no maps, a channel it does
            not have, or ``k`` larger than the number of images.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.interpret import top_activating
        >>> model = nn.Sequential(nn.Identity())
        >>> images = torch.stack([torch.full((1, 2, 2), v) for v in (0.1, 0.9, 0.5)])
        >>> top_activating(model, "0", images, channel=0, k=2)
        (tensor([1, 2]), tensor([0.9000, 0.5000]))
    """
    model = check_module("model", model)
    images = _check_inputs(images)
    channel = check_int("channel", channel, 0)
    k = check_int("k", k, 1)
    batch_size = check_int("batch_size", batch_size, 1)
    if k > len(images):
        raise ValueError(f"k must be at most the number of images ({len(images)}), got {k}")
    name, module = find_layer(model, layer)
    captured: list[Tensor] = []
    handle = module.register_forward_hook(lambda m, args, output: captured.append(output))
    device = model_device(model)
    try:
        with eval_mode(model):
            for start in range(0, len(images), batch_size):
                model(images[start:start + batch_size].to(device))
    finally:
        handle.remove()
    if not captured or captured[0].ndim != 4:
        raise ValueError(f"layer {name!r} must output (N, C, H, W) maps in the forward pass")
    if channel >= captured[0].shape[1]:
        raise ValueError(f"channel must be below the {captured[0].shape[1]} channels of {name!r}, got {channel}")
    response = torch.cat([out[:, channel].flatten(1).amax(dim=1) for out in captured]).cpu()
    values, indices = response.topk(k)
    return indices, values


def cascading_randomisation(
    model: nn.Module,
    methods: Mapping[str, Callable[[nn.Module], Tensor]],
    layers: Sequence[str],
    seed: int = 0,
) -> pd.DataFrame:
    """The sanity check of Adebayo et al. (2018): how much each map changes as the network's
    weights are re-initialised, layer after layer from the output down.

    ``methods`` maps a name to a function that computes maps ``(N, ...)`` for a model (the same
    images and targets each time). ``layers`` names the layers with weights, from the output to
    the input; step ``i`` re-initialises the first ``i`` of them (cumulatively, each with its
    own ``reset_parameters``, on a copy of the model; ``model`` is not changed). Each map is
    compared with the trained network's by the Spearman rank correlation of its absolute values,
    per image, then averaged over the images: a method that explains the *model* must lose that
    correlation as the model is destroyed; one whose maps stay the same explains the image.
    Returns one row per step and method: ``randomised`` (the last layer re-initialised, or
    ``"none"``), ``step``, ``method`` and ``spearman``. Introduced in chapter
    "What a trained network sees".

    Raises:
        TypeError: for a model that is not an ``nn.Module`` or methods that are not callable.
        ValueError: for a layer that is not in the model or has no ``reset_parameters``.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.interpret import cascading_randomisation, saliency
        >>> model = nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> x = torch.rand(4, 1, 4, 4)
        >>> table = cascading_randomisation(model, {"saliency": lambda m: saliency(m, x, 0)}, ["3", "1"])
        >>> table[["randomised", "step"]].values.tolist()
        [['none', 0], ['3', 1], ['1', 2]]
        >>> round(float(table.spearman.iloc[0]), 6)  # the trained model against itself
        1.0
    """
    model = check_module("model", model)
    seed = check_int("seed", seed, 0)
    for name, method in methods.items():
        if not callable(method):
            raise TypeError(f"methods must map names to functions of a model, got {method!r} for {name!r}")
    modules = []
    for layer in layers:
        layer_name, module = find_layer(model, layer)
        if not hasattr(module, "reset_parameters"):
            raise ValueError(f"layers must have weights to re-initialise, {layer_name!r} has none")
        modules.append(layer_name)
    reference = {name: method(model).detach().abs().flatten(1).cpu().numpy() for name, method in methods.items()}
    rows = []
    randomised = copy.deepcopy(model)
    for step, layer_name in enumerate(["none", *modules]):
        if step:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed + step)
                randomised.get_submodule(layer_name).reset_parameters()
        for name, method in methods.items():
            maps = method(randomised).detach().abs().flatten(1).cpu().numpy()
            rhos = [_spearman(a, b) for a, b in zip(reference[name], maps)]
            rows.append(dict(randomised=layer_name, step=step, method=name, spearman=float(np.mean(rhos))))
    return pd.DataFrame(rows)


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation: 1 for identical maps, else 0 where either map is constant
    (it ranks nothing)."""
    if np.array_equal(a, b):
        return 1.0
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return 0.0
    from scipy.stats import spearmanr  # imported here: scipy.stats takes ~1 s to import

    return float(spearmanr(a, b).statistic)
