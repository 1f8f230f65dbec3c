"""Pretrain the small ResNet that ships with cnnlib (chapter "Transfer learning").

The source task is Fashion-MNIST (:func:`cnnlib.data.load_fashion_mnist`): all 60,000 training
images, 10 classes, 28x28. The network is ``SmallResNet(in_channels=1, num_classes=10,
widths=(32, 64, 128), blocks_per_stage=1, stem_stride=2)``, trained on the raw images in [0, 1]
with AdamW and a cosine learning-rate decay (:func:`cnnlib.train.cosine_recipe`), label smoothing,
and two augmentations: a horizontal flip of half the images (torchvision's
``transforms.v2.RandomHorizontalFlip``, drawn for each image) and a random shift of up to 2 pixels
(:func:`cnnlib.data.random_shift`). The test accuracy on the 10,000 test images is recorded after
every epoch (nothing is chosen on it). The checkpoint holds the constructor arguments, the state
dict and the training record; the script prints the file's SHA-256, which goes into
``cnnlib.checkpoint.FASHION_BACKBONE_SHA256``.

    python tools/pretrain_backbone.py [--out cnnlib/checkpoints/fashion_backbone.pt]

It runs in about 12 minutes on two CPU cores. Reproducible: the seed is fixed, the run stays on
the CPU with a fixed number of threads (``THREADS``: a different thread count splits the sums
differently), so the same torch version on the same CPU gives the same weights, byte for byte;
the script prints their SHA-256 (``weights SHA-256``), the number to compare between two runs.
The file's own hash differs between runs only through the seconds per epoch that its record
keeps. Another torch version or CPU may round differently and give a slightly different
(equally good) network, whose new hash must then replace the old one.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
from pathlib import Path

import torch
import torch.nn.functional as F
from torchvision.transforms import v2

from cnnlib import train
from cnnlib.checkpoint import FASHION_BACKBONE, sha256_of
from cnnlib.data import load_fashion_mnist, random_shift
from cnnlib.models import SmallResNet

SEED = 0
THREADS = 2
EPOCHS = 20
LR = 3e-3
WEIGHT_DECAY = 0.05
BATCH_SIZE = 128
MAX_SHIFT = 2.0
LABEL_SMOOTHING = 0.1
CONFIG = dict(in_channels=1, num_classes=10, widths=[32, 64, 128], blocks_per_stage=1, residual=True,
              stem_stride=2)

_flip = v2.RandomHorizontalFlip(p=0.5)


def augment(images: torch.Tensor) -> torch.Tensor:
    """Flip each image with probability 1/2 (a draw of its own), then shift it by up to 2 pixels."""
    return random_shift(torch.stack([_flip(image) for image in images]), MAX_SHIFT)


def weights_sha256(state_dict: dict[str, torch.Tensor]) -> str:
    """The SHA-256 of the weights alone (names and bytes, in order): equal for two equal runs."""
    digest = hashlib.sha256()
    for name, tensor in state_dict.items():
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=FASHION_BACKBONE)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args()
    torch.set_num_threads(THREADS)  # the same sums, in the same order, from run to run
    train.seed_everything(SEED)
    train_data = load_fashion_mnist("train")
    test_data = load_fashion_mnist("test")
    model = SmallResNet(**CONFIG)
    optimizer = functools.partial(torch.optim.AdamW, lr=LR, weight_decay=WEIGHT_DECAY)
    history = train.fit(model, train_data, test_data, device="cpu", seed=SEED, augment=augment,
                        loss_fn=functools.partial(F.cross_entropy, label_smoothing=LABEL_SMOOTHING),
                        progress=True, **train.cosine_recipe(args.epochs, BATCH_SIZE, optimizer=optimizer))
    accuracy = train.evaluate(model, test_data).accuracy
    state_dict = model.state_dict()
    checkpoint = {
        "config": CONFIG,
        "state_dict": state_dict,
        "source": "Fashion-MNIST, the 60,000 training images (10 classes, 28x28, values in [0, 1])",
        "seed": SEED,
        "threads": THREADS,
        "epochs": args.epochs,
        "lr": LR,
        "weight_decay": WEIGHT_DECAY,
        "batch_size": BATCH_SIZE,
        "max_shift": MAX_SHIFT,
        "label_smoothing": LABEL_SMOOTHING,
        "augmentation": "horizontal flip (p=0.5), random shift up to 2 pixels",
        "test_accuracy": round(accuracy, 4),
        "test_accuracy_per_epoch": [round(a, 4) for a in history.val_acc],
        "train_accuracy_per_epoch": [round(a, 4) for a in history.train_acc],
        "seconds_per_epoch": [round(s, 1) for s in history.seconds],
        "weights_sha256": weights_sha256(state_dict),
        "torch_version": torch.__version__.split("+")[0],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(checkpoint, args.out)
    print(f"test accuracy {accuracy:.4f} after {args.epochs} epochs, {sum(history.seconds):.0f} s of training; "
          f"wrote {args.out} ({args.out.stat().st_size} bytes)")
    print(f"weights SHA-256 {checkpoint['weights_sha256']}")
    print(f"SHA-256 {sha256_of(args.out)}")


if __name__ == "__main__":
    main()
