"""Checkpoint files checked by their SHA-256, and the book's own pretrained backbone.

- :func:`sha256_of` hashes a file; :func:`load_checkpoint` reads a checkpoint only after checking
  that its hash is the expected one.
- :func:`pretrained_fashion_backbone` loads the small ResNet that ships with cnnlib
  (``FASHION_BACKBONE``), pretrained by ``tools/pretrain_backbone.py`` on the 60,000 training
  images of Fashion-MNIST.

Introduced in chapter "Transfer learning".
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import torch
from torch import nn

#: The folder of the checkpoints that ship with cnnlib.
CHECKPOINT_DIR = Path(__file__).resolve().parent / "checkpoints"
#: The book's backbone pretrained on Fashion-MNIST (see :func:`pretrained_fashion_backbone`).
FASHION_BACKBONE = CHECKPOINT_DIR / "fashion_backbone.pt"
#: The SHA-256 of ``FASHION_BACKBONE`` that :func:`load_checkpoint` expects.
FASHION_BACKBONE_SHA256 = "f8d4f7303c5c97e7f401581833d02bdf7d479c6647dc25aefc43302548842f67"


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


def pretrained_fashion_backbone(
    path: str | os.PathLike | None = None, sha256: str = FASHION_BACKBONE_SHA256
) -> tuple[nn.Module, dict[str, Any]]:
    """The :class:`~cnnlib.models.SmallResNet` pretrained on Fashion-MNIST, and its training record.

    The checkpoint (``cnnlib/checkpoints/fashion_backbone.pt`` by default) holds the network's
    constructor arguments (``config``), its ``state_dict`` and how it was trained: the recipe
    (seed, epochs, learning rate, augmentation), the test accuracy after every epoch and at the
    end (``test_accuracy``, on Fashion-MNIST's 10,000 test images), the seconds per epoch and the
    torch version. ``tools/pretrain_backbone.py`` re-creates it. Its SHA-256 is checked by
    :func:`load_checkpoint` before the file is read. The network takes images in [0, 1], as
    :func:`cnnlib.data.load_fashion_mnist` and :func:`cnnlib.data.load_mnist` give them.
    Introduced in chapter "Transfer learning".

    Returns:
        ``(model, record)``: the network in evaluation mode, with its 10-way Fashion-MNIST head,
        and the checkpoint's other entries.

    Examples:
        >>> model, record = pretrained_fashion_backbone()
        >>> model.fc.out_features, record["seed"], len(record["test_accuracy_per_epoch"]) == record["epochs"]
        (10, 0, True)

    Raises:
        FileNotFoundError, ValueError: see :func:`load_checkpoint`.
    """
    from cnnlib.models import SmallResNet

    checkpoint = load_checkpoint(FASHION_BACKBONE if path is None else path, sha256)
    model = SmallResNet(**checkpoint["config"])
    model.load_state_dict(checkpoint["state_dict"])
    record = {k: v for k, v in checkpoint.items() if k != "state_dict"}
    return model.eval(), record
