"""Checkpoint files checked by their SHA-256, and the book's own pretrained backbone.

- :func:`sha256_of` hashes a file; :func:`load_checkpoint` reads a checkpoint only after checking
  that its hash is the expected one.
- :func:`pretrained_digits_backbone` loads the small ResNet that ships with cnnlib
  (``DIGITS_BACKBONE``), pretrained by ``tools/pretrain_backbone.py`` on
  :func:`cnnlib.data.source_task`.

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
#: The book's pretrained digits backbone (see :func:`pretrained_digits_backbone`).
DIGITS_BACKBONE = CHECKPOINT_DIR / "digits_backbone.pt"
#: The SHA-256 of ``DIGITS_BACKBONE`` that :func:`load_checkpoint` expects.
DIGITS_BACKBONE_SHA256 = "bb76f1a332f08e8c90783d356d50becdbbea1306edb776dbe317ab05e947f031"


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
    """The :class:`~cnnlib.models.SmallResNet` pretrained on :func:`cnnlib.data.source_task`, and its record.

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
