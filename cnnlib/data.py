"""Real data that ships inside installed packages, as tensors: nothing is downloaded.

- scikit-learn's handwritten digits (1,797 greyscale 8x8 images of the digits 0-9, from the UCI
  "Optical Recognition of Handwritten Digits" set), and the two digit tasks of chapter
  "Transfer learning" built from them (:func:`source_task`, :func:`target_task`).
- scikit-image's sample photographs and textures, stored in the scikit-image package itself.
- What the chapters do to images before training: :func:`standardize` with the training set's
  statistics, and :func:`random_shift` as a data augmentation.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from cnnlib._checks import check_choice, check_fraction, check_int, check_number, check_pair, check_tensor

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

#: Digits of the source task of chapter "Transfer learning" (each in four orientations), and of
#: its target task.
SOURCE_DIGITS: tuple[int, ...] = (0, 1, 2, 3, 4)
TARGET_DIGITS: tuple[int, ...] = (5, 6, 7, 8, 9)
#: Side of the (upsampled) digit images both transfer tasks use.
TRANSFER_IMAGE_SIZE = 16
#: The number of orientations (quarter turns) in the source task; its labels are
#: ``digit + 5 * turns``.
ROTATIONS = 4


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


def source_task(size: int = TRANSFER_IMAGE_SIZE) -> tuple[Tensor, Tensor]:
    """The source task: every digit 0-4 of scikit-learn's set in four orientations (20 classes).

    Each image of a digit ``d`` (train and test split alike: the target task never sees these
    classes) appears rotated by 0, 90, 180 and 270 degrees, labelled ``d + 5 * quarter_turns``.
    Images are ``(N, 1, size, size)`` in [0, 1] (see :func:`load_digits`).
    Introduced in chapter "Transfer learning".

    Examples:
        >>> from cnnlib.data import source_task
        >>> images, labels = source_task()
        >>> tuple(images.shape), int(labels.max()) + 1
        ((3604, 1, 16, 16), 20)

    Raises:
        TypeError: for a ``size`` that is not an integer.
        ValueError: for a ``size`` below 4.
    """
    images, labels = load_digits(size=size, split="all")
    keep = labels < len(SOURCE_DIGITS)
    images, labels = images[keep], labels[keep]
    turned = [torch.rot90(images, turns, dims=(2, 3)) for turns in range(ROTATIONS)]
    return torch.cat(turned).contiguous(), torch.cat([labels + len(SOURCE_DIGITS) * t for t in range(ROTATIONS)])


def target_task(
    labels_per_class: int, seed: int = 0, size: int = TRANSFER_IMAGE_SIZE
) -> tuple[tuple[Tensor, Tensor], tuple[Tensor, Tensor]]:
    """The target task: digits 5-9 (labels 0-4), with few labelled training examples.

    The training set draws ``labels_per_class`` images of each digit from the *train* split of
    :func:`load_digits` (at random, fixed by ``seed``); the test set is every digit 5-9 of the
    *test* split, the same for every call. The two never share an image, and neither shares a
    class with :func:`source_task`. Introduced in chapter "Transfer learning".

    Returns:
        ``((train_images, train_labels), (test_images, test_labels))``.

    Examples:
        >>> from cnnlib.data import target_task
        >>> (x, y), (x_test, y_test) = target_task(labels_per_class=3)
        >>> tuple(x.shape), y.bincount().tolist(), len(y_test)
        ((15, 1, 16, 16), [3, 3, 3, 3, 3], 180)

    Raises:
        TypeError: for arguments that are not integers.
        ValueError: for fewer than 1 label per class, more than the split holds, a negative seed
            or a ``size`` below 4.
    """
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
