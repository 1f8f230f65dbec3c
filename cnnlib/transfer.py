"""Transfer learning: pretrained weights, the book's pretrained backbone, and freezing.

- :func:`torchvision_pretrained` builds a torchvision model with its published weights when they
  are in the torch hub cache (or when asked to download them), and says plainly when they are not.
- :func:`load_checkpoint` reads a checkpoint after checking its SHA-256;
  :func:`pretrained_digits_backbone` loads the small ResNet that ships with cnnlib, pretrained by
  ``tools/pretrain_backbone.py`` on :func:`source_task`.
- :func:`source_task` and :func:`target_task` are the two digit tasks of the chapter: the source
  (digits 0-4 in four orientations) and the target (digits 5-9 with few labels).
- :func:`freeze`, :func:`freeze_batchnorm`, :func:`parameter_counts` and
  :func:`parameter_groups` choose what a fine-tuning run may change.

Introduced in chapter "Transfer learning".
"""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.error import URLError

import torch
from torch import Tensor, nn

from cnnlib._checks import check_bool, check_int

if TYPE_CHECKING:
    import pandas as pd

#: Digits of the source task (each in four orientations) and of the target task.
SOURCE_DIGITS: tuple[int, ...] = (0, 1, 2, 3, 4)
TARGET_DIGITS: tuple[int, ...] = (5, 6, 7, 8, 9)
#: Side of the (upsampled) digit images both tasks use.
IMAGE_SIZE = 16
#: The number of orientations (quarter turns) in the source task; its labels are
#: ``digit + 5 * turns``.
ROTATIONS = 4

#: The checkpoint that ships with cnnlib, and the SHA-256 that :func:`load_checkpoint` expects.
CHECKPOINT_DIR = Path(__file__).resolve().parent / "checkpoints"
DIGITS_BACKBONE = CHECKPOINT_DIR / "digits_backbone.pt"
DIGITS_BACKBONE_SHA256 = "bb76f1a332f08e8c90783d356d50becdbbea1306edb776dbe317ab05e947f031"

#: Seconds :func:`torchvision_pretrained` waits for the network before giving up on a download.
DOWNLOAD_TIMEOUT = 10.0


# --------------------------------------------------------------------------------------------
# torchvision's published weights
# --------------------------------------------------------------------------------------------


@dataclass
class Pretrained:
    """Result of :func:`torchvision_pretrained`.

    Attributes:
        model: the torchvision model, with the published weights when ``loaded`` is true and with
            random (freshly initialised) weights otherwise.
        weights: the weights enum (its ``meta`` and ``transforms()`` need no download).
        loaded: whether the published weights are in ``model``.
        message: one sentence saying which weights the model holds and why.

    Examples:
        >>> from cnnlib.transfer import Pretrained, torchvision_pretrained
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
        ValueError: for an unknown model, unknown weights or a non-positive timeout.
        TypeError: for a non-bool ``download``.
    """
    import torchvision

    download = check_bool("download", download)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
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
        TypeError: if ``image`` is not a tensor. ValueError: if it is not ``(3, H, W)`` or ``top``
            is not between 1 and the number of classes.
    """
    import pandas as pd

    if not isinstance(image, Tensor):
        raise TypeError(f"image must be a (3, H, W) tensor, got {type(image).__name__}")
    if image.ndim != 3 or image.shape[0] != 3:
        raise ValueError(f"image must have shape (3, H, W), got {tuple(image.shape)}")
    categories = weights.meta["categories"]
    top = check_int("top", top, 1)
    if top > len(categories):
        raise ValueError(f"top must be at most the number of classes, {len(categories)}, got {top}")
    parameter = next(model.parameters())
    batch = weights.transforms()(image).unsqueeze(0).to(parameter.device, parameter.dtype)
    was_training = model.training
    model.eval()
    try:
        probabilities = model(batch).softmax(dim=1)[0].cpu()
    finally:
        model.train(was_training)
    values, indices = probabilities.topk(top)
    return pd.DataFrame({"class": [categories[i] for i in indices.tolist()], "probability": values.tolist()})


# --------------------------------------------------------------------------------------------
# The book's checkpoint
# --------------------------------------------------------------------------------------------


def sha256_of(path: str | os.PathLike) -> str:
    """The SHA-256 of a file, as 64 hexadecimal digits. Introduced in chapter "Transfer learning".

    Examples:
        >>> import tempfile
        >>> from pathlib import Path
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = Path(folder) / "abc.txt"
        ...     _ = path.write_bytes(b"abc")
        ...     sha256_of(path)[:16]
        'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_checkpoint(path: str | os.PathLike, sha256: str) -> dict[str, Any]:
    """Read a checkpoint after checking that it is the expected file.

    The file's SHA-256 must equal ``sha256``; only then is it read, with
    ``torch.load(..., weights_only=True)``, which unpickles tensors and plain containers only
    (a pickle can otherwise run arbitrary code). Introduced in chapter "Transfer learning".

    Returns:
        The dictionary stored in the file (tensors on the CPU).

    Examples:
        >>> import tempfile
        >>> from pathlib import Path
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = Path(folder) / "checkpoint.pt"
        ...     torch.save({"weight": torch.ones(2)}, path)
        ...     load_checkpoint(path, sha256_of(path))["weight"]
        tensor([1., 1.])

    Raises:
        FileNotFoundError: if there is no file at ``path``.
        ValueError: if ``sha256`` is not 64 hexadecimal digits, or the file's hash differs
            (a corrupted, truncated or different file).
    """
    if not (isinstance(sha256, str) and len(sha256) == 64 and all(c in "0123456789abcdef" for c in sha256.lower())):
        raise ValueError(f"sha256 must be 64 hexadecimal digits, got {sha256!r}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint file at {path}")
    actual = sha256_of(path)
    if actual != sha256.lower():
        raise ValueError(
            f"checkpoint {path.name} has SHA-256 {actual}, expected {sha256.lower()}: the file is "
            "corrupted or not the one this version of cnnlib ships (re-install cnnlib, or re-create "
            "it with tools/pretrain_backbone.py and update the hash)"
        )
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(checkpoint, dict):
        raise ValueError(f"checkpoint {path.name} must hold a dictionary, got {type(checkpoint).__name__}")
    return checkpoint


def pretrained_digits_backbone(
    path: str | os.PathLike | None = None, sha256: str = DIGITS_BACKBONE_SHA256
) -> tuple[nn.Module, dict[str, Any]]:
    """The :class:`~cnnlib.models.SmallResNet` pretrained on :func:`source_task`, and its record.

    The checkpoint (``cnnlib/checkpoints/digits_backbone.pt`` by default) holds the network's
    constructor arguments (``config``), its ``state_dict`` and how it was trained (seed, epochs,
    source accuracy); ``tools/pretrain_backbone.py`` re-creates it. Its SHA-256 is checked by
    :func:`load_checkpoint`. Introduced in chapter "Transfer learning".

    Returns:
        ``(model, record)``: the network in evaluation mode, with the 20-way source head, and the
        checkpoint's other entries.

    Examples:
        >>> model, record = pretrained_digits_backbone()
        >>> model.fc.out_features, record["seed"]
        (20, 0)

    Raises:
        FileNotFoundError, ValueError: see :func:`load_checkpoint`.
    """
    from cnnlib.models import SmallResNet

    checkpoint = load_checkpoint(DIGITS_BACKBONE if path is None else path, sha256)
    model = SmallResNet(**checkpoint["config"])
    model.load_state_dict(checkpoint["state_dict"])
    record = {k: v for k, v in checkpoint.items() if k != "state_dict"}
    return model.eval(), record


# --------------------------------------------------------------------------------------------
# The two digit tasks
# --------------------------------------------------------------------------------------------


def source_task(size: int = IMAGE_SIZE) -> tuple[Tensor, Tensor]:
    """The source task: every digit 0-4 of scikit-learn's set in four orientations (20 classes).

    Each image of a digit ``d`` (train and test split alike: the target task never sees these
    classes) appears rotated by 0, 90, 180 and 270 degrees, labelled ``d + 5 * quarter_turns``.
    Images are ``(N, 1, size, size)`` in [0, 1] (see :func:`cnnlib.data.load_digits`).
    Introduced in chapter "Transfer learning".

    Examples:
        >>> images, labels = source_task()
        >>> tuple(images.shape), int(labels.max()) + 1
        ((3604, 1, 16, 16), 20)

    Raises:
        ValueError: for a ``size`` below 4.
    """
    from cnnlib.data import load_digits

    images, labels = load_digits(size=size, split="all")
    keep = labels < len(SOURCE_DIGITS)
    images, labels = images[keep], labels[keep]
    turned = [torch.rot90(images, turns, dims=(2, 3)) for turns in range(ROTATIONS)]
    return torch.cat(turned).contiguous(), torch.cat([labels + len(SOURCE_DIGITS) * t for t in range(ROTATIONS)])


def target_task(
    labels_per_class: int, seed: int = 0, size: int = IMAGE_SIZE
) -> tuple[tuple[Tensor, Tensor], tuple[Tensor, Tensor]]:
    """The target task: digits 5-9 (labels 0-4), with few labelled training examples.

    The training set draws ``labels_per_class`` images of each digit from the *train* split of
    :func:`cnnlib.data.load_digits` (at random, fixed by ``seed``); the test set is every digit
    5-9 of the *test* split, the same for every call. The two never share an image, and neither
    shares a class with :func:`source_task`. Introduced in chapter "Transfer learning".

    Returns:
        ``((train_images, train_labels), (test_images, test_labels))``.

    Examples:
        >>> (x, y), (x_test, y_test) = target_task(labels_per_class=3)
        >>> tuple(x.shape), y.bincount().tolist(), len(y_test)
        ((15, 1, 16, 16), [3, 3, 3, 3, 3], 180)

    Raises:
        ValueError: for fewer than 1 label per class, more than the split holds, a negative seed
            or a ``size`` below 4.
    """
    from cnnlib.data import load_digits

    k = check_int("labels_per_class", labels_per_class, 1)
    seed = check_int("seed", seed, 0)
    offset = TARGET_DIGITS[0]
    train_x, train_y = load_digits(size=size, split="train")
    test_x, test_y = load_digits(size=size, split="test")
    generator = torch.Generator().manual_seed(seed)
    chosen = []
    for digit in TARGET_DIGITS:
        candidates = (train_y == digit).nonzero().flatten()
        if k > len(candidates):
            raise ValueError(f"labels_per_class must be at most {len(candidates)} (digit {digit}), got {k}")
        chosen.append(candidates[torch.randperm(len(candidates), generator=generator)[:k]])
    index = torch.cat(chosen)
    keep = test_y >= offset
    return (train_x[index], train_y[index] - offset), (test_x[keep], test_y[keep] - offset)


# --------------------------------------------------------------------------------------------
# Freezing
# --------------------------------------------------------------------------------------------


def _check_model(model: object) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return model


def _check_names(model: nn.Module, names: object, argument: str) -> tuple[str, ...]:
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise TypeError(f"{argument} must be a sequence of module names such as ('fc',), got {names!r}")
    known = dict(model.named_modules())
    for name in names:
        if name not in known or name == "":
            children = ", ".join(repr(n) for n, _ in model.named_children())
            raise ValueError(f"{argument} must name submodules of the model (children: {children}), got {name!r}")
    return tuple(names)


def _inside(name: str, modules: tuple[str, ...]) -> bool:
    """Whether a parameter or module name lies in one of the named modules (by whole name parts)."""
    return any(name == m or name.startswith(m + ".") for m in modules)


def _frozen_copy(layer: nn.BatchNorm2d) -> nn.Module:
    """A ``FrozenBatchNorm2d`` with the statistics, scale and shift of ``layer`` (on its device)."""
    from torchvision.ops import FrozenBatchNorm2d

    frozen = FrozenBatchNorm2d(layer.num_features, eps=layer.eps)
    reference = next(iter(layer.buffers()), None)
    if reference is not None:
        frozen = frozen.to(reference.device)
    with torch.no_grad():
        if layer.affine:
            frozen.weight.copy_(layer.weight)
            frozen.bias.copy_(layer.bias)
        if layer.track_running_stats:
            frozen.running_mean.copy_(layer.running_mean)
            frozen.running_var.copy_(layer.running_var)
    return frozen


def freeze_batchnorm(model: nn.Module) -> nn.Module:
    """Replace every ``BatchNorm2d`` in ``model`` by torchvision's ``FrozenBatchNorm2d``, in place.

    The frozen layer keeps the running statistics, scale and shift as buffers and always
    normalises with them, as ``BatchNorm2d`` does in evaluation mode, whatever ``model.train()``
    says; nothing in it is learned or updated. This is how torchvision's detection models keep
    their backbones' statistics. (A module that *is* a ``BatchNorm2d`` cannot replace itself:
    pass the network that holds it.) Introduced in chapter "Transfer learning".

    Examples:
        >>> net = freeze_batchnorm(nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4)))
        >>> type(net[1]).__name__
        'FrozenBatchNorm2d'

    Returns:
        ``model``, changed in place.

    Raises:
        TypeError: if ``model`` is not an ``nn.Module``.
    """
    model = _check_model(model)
    for name, child in list(model.named_children()):
        if isinstance(child, nn.BatchNorm2d):
            setattr(model, name, _frozen_copy(child))
        else:
            freeze_batchnorm(child)
    return model


def freeze(model: nn.Module, trainable: Sequence[str] = (), batchnorm: bool = True) -> nn.Module:
    """Freeze a network except the named submodules, in place.

    Every parameter outside the modules named in ``trainable`` gets ``requires_grad=False``; those
    inside get ``requires_grad=True``. Names are the qualified module names of
    ``model.named_modules()`` (``"fc"``, ``"layer4"``, ``"stages.2"``) and match whole parts, so
    ``"fc"`` does not match ``"fc1"`` (unlike a substring test on parameter names). With
    ``batchnorm`` (default), the batch-norm layers outside the trainable modules are also replaced
    by frozen ones (:func:`freeze_batchnorm`): ``requires_grad=False`` stops the gradient, but a
    ``BatchNorm2d`` in training mode would still update its running statistics.
    Introduced in chapter "Transfer learning".

    Examples:
        >>> from cnnlib.models import SmallResNet
        >>> net = freeze(SmallResNet(num_classes=5), trainable=["stages.2", "fc"])
        >>> sorted({name.split(".")[0] for name, p in net.named_parameters() if p.requires_grad})
        ['fc', 'stages']
        >>> type(net.stem[1]).__name__, type(net.stages[2][0].bn1).__name__
        ('FrozenBatchNorm2d', 'BatchNorm2d')

    Returns:
        ``model``, changed in place.

    Raises:
        TypeError: for a model that is not an ``nn.Module``, ``trainable`` that is not a sequence
            of names, or a non-bool ``batchnorm``.
        ValueError: for a name that is not a submodule of the model.
    """
    model = _check_model(model)
    names = _check_names(model, trainable, "trainable")
    batchnorm = check_bool("batchnorm", batchnorm)
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(_inside(name, names))
    if batchnorm:
        for name, module in list(model.named_modules()):
            if name and isinstance(module, nn.BatchNorm2d) and not _inside(name, names):
                parent, _, child = name.rpartition(".")
                setattr(model.get_submodule(parent) if parent else model, child, _frozen_copy(module))
    return model


def parameter_counts(model: nn.Module) -> pd.DataFrame:
    """Trainable and frozen parameters of each top-level submodule of ``model``.

    One row per child module (in order) with columns ``parameters``, ``trainable`` and
    ``frozen``, and a final row ``total``. The scale and shift of a ``FrozenBatchNorm2d``
    (:func:`freeze_batchnorm`), buffers rather than parameters, count as frozen parameters, so
    the total does not change when a network is frozen. Parameters of the model itself (outside any child)
    are in a row ``(own)``. Introduced in chapter "Transfer learning".

    Examples:
        >>> net = freeze(nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2)), trainable=["1"])
        >>> parameter_counts(net).to_dict("index")["total"]
        {'parameters': 23, 'trainable': 8, 'frozen': 15}

    Raises:
        TypeError: if ``model`` is not an ``nn.Module``.
    """
    import pandas as pd

    model = _check_model(model)
    from torchvision.ops import FrozenBatchNorm2d

    rows = {}
    for name, child in model.named_children():
        parameters = list(child.parameters())
        trainable = sum(p.numel() for p in parameters if p.requires_grad)
        total = sum(p.numel() for p in parameters)
        # A frozen batch norm keeps its scale and shift as buffers: still frozen parameters.
        layers = [child] if isinstance(child, FrozenBatchNorm2d) else []
        layers += [m for m in child.modules() if isinstance(m, FrozenBatchNorm2d) and m is not child]
        total += sum(m.weight.numel() + m.bias.numel() for m in layers)
        if total:
            rows[name] = (total, trainable, total - trainable)
    own = list(model.parameters(recurse=False))
    if own:
        trainable = sum(p.numel() for p in own if p.requires_grad)
        total = sum(p.numel() for p in own)
        rows["(own)"] = (total, trainable, total - trainable)
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["parameters", "trainable", "frozen"])
    frame.loc["total"] = frame.sum()
    return frame.rename_axis("module")


def parameter_groups(model: nn.Module, lrs: Mapping[str, float]) -> list[dict[str, Any]]:
    """Optimizer parameter groups: one learning rate per named submodule.

    Returns ``[{"params": [...], "lr": lr, "name": name}, ...]`` for the trainable parameters of
    each module named in ``lrs``, to pass to any ``torch.optim`` optimizer (through
    :func:`cnnlib.train.fit`'s optimizer factory). Every trainable parameter of the model must
    fall in exactly one named module, so that none is silently left untrained or trained twice.
    Smaller rates for the pretrained layers than for the new head is the "discriminative
    fine-tuning" of Howard and Ruder (2018). Introduced in chapter "Transfer learning".

    Examples:
        >>> from cnnlib.models import SmallResNet
        >>> net = SmallResNet(num_classes=5)
        >>> groups = parameter_groups(net, {"stem": 1e-4, "stages": 1e-4, "fc": 1e-3})
        >>> [(g["name"], g["lr"], len(g["params"])) for g in groups]
        [('stem', 0.0001, 3), ('stages', 0.0001, 24), ('fc', 0.001, 2)]
        >>> optimizer = torch.optim.Adam(groups)

    Raises:
        TypeError: for a model that is not an ``nn.Module`` or ``lrs`` that is not a mapping.
        ValueError: for an unknown module name, a non-positive rate, overlapping modules, or a
            trainable parameter outside every named module.
    """
    model = _check_model(model)
    if not isinstance(lrs, Mapping) or not lrs:
        raise TypeError(f"lrs must be a non-empty mapping from module names to learning rates, got {lrs!r}")
    names = _check_names(model, list(lrs), "lrs")
    groups, seen = [], {}
    for name in names:
        lr = lrs[name]
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or lr <= 0:
            raise ValueError(f"lrs[{name!r}] must be a positive number, got {lr!r}")
        params = []
        for pname, parameter in model.get_submodule(name).named_parameters():
            if not parameter.requires_grad:
                continue
            if id(parameter) in seen:
                raise ValueError(f"lrs names overlapping modules: {name!r} and {seen[id(parameter)]!r} share {pname!r}")
            seen[id(parameter)] = name
            params.append(parameter)
        groups.append({"params": params, "lr": float(lr), "name": name})
    missing = [n for n, p in model.named_parameters() if p.requires_grad and id(p) not in seen]
    if missing:
        raise ValueError(f"lrs must cover every trainable parameter; not covered: {', '.join(missing[:5])}")
    return groups
