"""torchvision's published (ImageNet) weights, fetched through torch hub's cache, and what a
classifier with them predicts.

- :func:`torchvision_pretrained` builds a torchvision model with its published weights when they
  are in the torch hub cache (or when asked to download them), and says plainly when they are not.
- :func:`classify` gives the most probable classes of one image.

Introduced in chapter "Transfer learning".
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.error import URLError

import torch
from torch import Tensor, nn

from cnnlib._checks import check_bool, check_int, check_module, check_number, check_tensor
from cnnlib.train import eval_mode, model_device

if TYPE_CHECKING:
    import pandas as pd

#: Seconds :func:`torchvision_pretrained` waits for the network before giving up on a download.
DOWNLOAD_TIMEOUT = 10.0


@dataclass
class Pretrained:
    """Result of :func:`torchvision_pretrained`.

    Introduced in chapter "Transfer learning".

    Attributes:
        model: the torchvision model, with the published weights when ``loaded`` is true and with
            random (freshly initialised) weights otherwise.
        weights: the weights enum (its ``meta`` and ``transforms()`` need no download).
        loaded: whether the published weights are in ``model``.
        message: one sentence saying which weights the model holds and why.

    Examples:
        >>> from cnnlib.hub import Pretrained, torchvision_pretrained
        >>> result = torchvision_pretrained("resnet18", "IMAGENET1K_V1")  # never downloads
        >>> isinstance(result, Pretrained), type(result.model).__name__
        (True, 'ResNet')
    """

    model: nn.Module
    weights: Any
    loaded: bool
    message: str


def weights_file(weights: Any) -> Path:
    """Where torch hub keeps (or would keep) the file of a torchvision weights enum.

    ``<torch.hub.get_dir()>/checkpoints/<file name of weights.url>``: torch hub's cache, which
    ``TORCH_HOME`` or ``torch.hub.set_dir()`` move. Introduced in chapter "Transfer learning".

    Examples:
        >>> from torchvision.models import ResNet50_Weights
        >>> weights_file(ResNet50_Weights.IMAGENET1K_V2).name
        'resnet50-11ad3fa6.pth'

    Raises:
        TypeError: if ``weights`` has no ``url`` (it is not a torchvision weights enum).
    """
    url = getattr(weights, "url", None)
    if not isinstance(url, str):
        raise TypeError(f"weights must be a torchvision weights enum, got {weights!r}")
    return Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(url)


def torchvision_pretrained(
    name: str = "resnet50",
    weights: str | Any = "IMAGENET1K_V2",
    download: bool = False,
    timeout: float = DOWNLOAD_TIMEOUT,
) -> Pretrained:
    """A torchvision model with its published (ImageNet) weights where they can be had quickly.

    The weights are loaded through torchvision's own path (``get_model(name, weights=...)``, which
    calls ``torch.hub.load_state_dict_from_url``) when their file is already in the torch hub cache
    (:func:`weights_file`), or, with ``download=True``, after downloading it (the socket waits at
    most ``timeout`` seconds for the network). Otherwise nothing touches the network: the model
    gets random weights, ``loaded`` is false and ``message`` says so. Downloading is opt-in
    because the file is large (about 100 MB for ResNet-50) and because a machine without internet
    access may not fail fast: a firewall that drops packets makes a connection wait, not fail.
    Introduced in chapter "Transfer learning".

    Args:
        name: a torchvision classification model (``torchvision.models.list_models()``).
        weights: one of its weights, by name (``"IMAGENET1K_V2"``) or as the enum member
            (``ResNet50_Weights.IMAGENET1K_V2``).
        download: fetch the file when it is not cached.
        timeout: seconds to wait for the network when downloading.

    Returns:
        A :class:`Pretrained` with the model, the weights enum, ``loaded`` and ``message``.

    Examples:
        >>> result = torchvision_pretrained("mobilenet_v3_small", "IMAGENET1K_V1")
        >>> result.loaded == weights_file(result.weights).exists()
        True
        >>> result.weights.meta["_metrics"]["ImageNet-1K"]["acc@1"]
        67.668

    Raises:
        TypeError: for a non-bool ``download`` or a ``timeout`` that is not a number.
        ValueError: for an unknown model, unknown weights or a non-positive timeout.
    """
    import torchvision

    download = check_bool("download", download)
    timeout = check_number("timeout", timeout, 0.0, low_open=True)
    if name not in torchvision.models.list_models():
        raise ValueError(f"name must be a torchvision model such as 'resnet50', got {name!r}")
    enum = torchvision.models.get_model_weights(name)
    choices = [w.name for w in enum]
    if isinstance(weights, enum):
        weights = weights.name
    if weights not in choices:
        raise ValueError(f"weights must be one of {', '.join(map(repr, choices))} for {name}, got {weights!r}")
    chosen = enum[weights]
    path = weights_file(chosen)
    label = f"{name} {weights}"
    if not (path.exists() or download):
        model = torchvision.models.get_model(name, weights=None)
        message = (
            f"The {label} weights are not in the torch hub cache ({path.name}) and download=False: "
            "the model has random weights. Call with download=True where there is internet access "
            f"(about {chosen.meta.get('_file_size', 0):.0f} MB)."
        )
        return Pretrained(model, chosen, False, message)
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(float(timeout))
    try:
        model = torchvision.models.get_model(name, weights=chosen)
    except (URLError, OSError) as error:  # no network, DNS failure, timeout, refused connection
        model = torchvision.models.get_model(name, weights=None)
        reason = getattr(error, "reason", error)
        message = f"The {label} weights could not be downloaded ({reason}): the model has random weights."
        return Pretrained(model, chosen, False, message)
    finally:
        socket.setdefaulttimeout(previous)
    return Pretrained(model, chosen, True, f"The model holds the published {label} weights ({path.name}).")


@torch.no_grad()
def classify(model: nn.Module, weights: Any, image: Tensor, top: int = 5) -> pd.DataFrame:
    """The ``top`` most probable classes of one image for a torchvision classifier.

    The image, ``(C, H, W)`` in [0, 1], is preprocessed with ``weights.transforms()`` (resize,
    centre crop and normalisation of the weights' training recipe), the model runs in evaluation
    mode on its device, and the softmax probabilities of the largest logits are returned with the
    class names of ``weights.meta["categories"]``. Introduced in chapter "Transfer learning".

    Returns:
        A DataFrame with columns ``class`` and ``probability``, most probable first.

    Examples:
        >>> import torchvision
        >>> from cnnlib.data import sample_image
        >>> weights = torchvision.models.MobileNet_V3_Small_Weights.IMAGENET1K_V1
        >>> model = torchvision.models.mobilenet_v3_small()  # random weights: the classes mean nothing
        >>> list(classify(model, weights, sample_image("chelsea"), top=3).columns)
        ['class', 'probability']

    Raises:
        TypeError: if ``model`` is not an ``nn.Module``, ``image`` not a tensor or ``top`` not an
            integer.
        ValueError: if ``image`` is not ``(3, H, W)`` or ``top`` is not between 1 and the number
            of classes.
    """
    import pandas as pd

    model = check_module("model", model)
    image = check_tensor("image", image, 3, "(3, H, W)")
    if image.shape[0] != 3:
        raise ValueError(f"image must have shape (3, H, W), got {tuple(image.shape)}")
    categories = weights.meta["categories"]
    top = check_int("top", top, 1)
    if top > len(categories):
        raise ValueError(f"top must be at most the number of classes, {len(categories)}, got {top}")
    parameter = next(model.parameters())
    batch = weights.transforms()(image).unsqueeze(0).to(model_device(model), parameter.dtype)
    with eval_mode(model):
        probabilities = model(batch).softmax(dim=1)[0].cpu()
    values, indices = probabilities.topk(top)
    return pd.DataFrame({"class": [categories[i] for i in indices.tolist()], "probability": values.tolist()})
