"""Real data that ships inside installed packages, as tensors: nothing is downloaded.

- scikit-learn's handwritten digits (1,797 greyscale 8x8 images of the digits 0-9, from the UCI
  "Optical Recognition of Handwritten Digits" set).
- scikit-image's sample photographs and textures, stored in the scikit-image package itself.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from cnnlib._checks import check_choice, check_fraction, check_int, check_pair

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
        ValueError: if ``images`` is not a 4-D ``(N, C, H, W)`` tensor.

    Examples:
        >>> import torch
        >>> from cnnlib.data import permute_pixels
        >>> images = torch.arange(8.0).reshape(2, 1, 2, 2)
        >>> shuffled, order = permute_pixels(images, seed=0)
        >>> torch.equal(shuffled.flatten(1), images.flatten(1)[:, order])
        True
    """
    if not isinstance(images, Tensor) or images.ndim != 4:
        shape = tuple(images.shape) if isinstance(images, Tensor) else type(images).__name__
        raise ValueError(f"images must be a 4-D (N, C, H, W) tensor, got {shape}")
    seed = check_int("seed", seed, 0)
    n, c, h, w = images.shape
    generator = torch.Generator().manual_seed(seed)
    permutation = torch.randperm(h * w, generator=generator)
    permuted = images.reshape(n, c, h * w)[:, :, permutation].reshape(n, c, h, w)
    return permuted, permutation
