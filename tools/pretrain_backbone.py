"""Pretrain the small ResNet that ships with cnnlib (chapter "Transfer learning").

The source task is :func:`cnnlib.data.source_task`: the digits 0-4 of scikit-learn's set,
each in four orientations (20 classes), upsampled to 16x16. The network is
``SmallResNet(in_channels=1, num_classes=20, widths=(16, 32, 64), blocks_per_stage=1)``, trained
with Adam and random shifts of up to 2 pixels, from a fixed seed on the CPU. The checkpoint holds
the constructor arguments, the state dict and the training record; the script prints its SHA-256,
which goes into ``cnnlib.checkpoint.DIGITS_BACKBONE_SHA256``.

    python tools/pretrain_backbone.py [--out cnnlib/checkpoints/digits_backbone.pt]

The same seed, torch version, CPU and file name (torch.save stores the name inside the archive)
give the same file, byte for byte; another torch version
or machine may round differently and give a slightly different (equally good) network, whose
new hash must then replace the old one.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
import torch.nn.functional as F

from cnnlib import train
from cnnlib.models import SmallResNet
from cnnlib.checkpoint import DIGITS_BACKBONE, sha256_of
from cnnlib.data import TRANSFER_IMAGE_SIZE, source_task

SEED = 0
EPOCHS = 30
LR = 3e-3
BATCH_SIZE = 64
MAX_SHIFT = 2
CONFIG = dict(in_channels=1, num_classes=20, widths=[16, 32, 64], blocks_per_stage=1, residual=True)


# Not cnnlib.data.random_shift, on purpose: this variant shifts by whole pixels (one torch.randint
# draw), lets zeros in and indexes the padded batch, where cnnlib's draws sub-pixel offsets with
# torch.rand and resamples bilinearly. Training with cnnlib's would change the random numbers and
# the arithmetic, so the shipped checkpoint, whose SHA-256 cnnlib.checkpoint checks, could not be
# re-created byte for byte. Switch only together with a new checkpoint and its new hash.
def random_shift(images: torch.Tensor, max_shift: int = MAX_SHIFT) -> torch.Tensor:
    """Shift every image by its own random offset of up to ``max_shift`` pixels (zeros enter)."""
    n, _, h, w = images.shape
    padded = F.pad(images, (max_shift,) * 4)
    dy, dx = torch.randint(0, 2 * max_shift + 1, (2, n)).tolist()
    return torch.stack([padded[i, :, dy[i]:dy[i] + h, dx[i]:dx[i] + w] for i in range(n)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DIGITS_BACKBONE)
    args = parser.parse_args()
    torch.set_num_threads(1)  # the same rounding on every machine with the same torch build
    train.seed_everything(SEED)
    images, labels = source_task(TRANSFER_IMAGE_SIZE)
    model = SmallResNet(**CONFIG)
    history = train.fit(model, (images, labels), epochs=EPOCHS, lr=LR, batch_size=BATCH_SIZE,
                        device="cpu", seed=SEED, augment=random_shift, progress=True)
    accuracy = train.evaluate(model, (images, labels)).accuracy
    checkpoint = {
        "config": CONFIG,
        "state_dict": model.state_dict(),
        # the record names where source_task lived when the checkpoint was made: kept, so that the
        # script still writes the shipped file byte for byte
        "source": "digits 0-4 in four orientations (20 classes), 16x16, cnnlib.transfer.source_task",
        "seed": SEED,
        "epochs": EPOCHS,
        "lr": LR,
        "batch_size": BATCH_SIZE,
        "max_shift": MAX_SHIFT,
        "source_accuracy": round(accuracy, 4),
        "final_train_loss": round(history.train_loss[-1], 4),
        "torch_version": torch.__version__.split("+")[0],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(checkpoint, args.out)
    print(f"source accuracy {accuracy:.4f}; wrote {args.out} ({args.out.stat().st_size} bytes)")
    print(f"SHA-256 {sha256_of(args.out)}")


if __name__ == "__main__":
    main()
