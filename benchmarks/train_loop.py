"""Overhead of cnnlib.train.fit over a bare PyTorch training loop doing the same work.

Usage: python benchmarks/train_loop.py [--model lenet5|smallvgg] [--epochs N] [--repeats R]
                                       [--batch-size B] [--device cpu|cuda]

Both loops train the same network (LeNet-5 by default) from the same initial weights on the
real handwritten digits at 32x32 (1,437 training images), with Adam, the same batch size and the
same shuffled order, and record the mean loss and accuracy of every epoch. The bare loop slices
the tensors by hand; ``fit`` goes through its DataLoader, argument checks, forked random numbers
and progress-bar machinery (the bar itself disabled). The two run in alternation, ``repeats``
times, so that a change in the machine's load hits both alike, and the figure compared is the
median time per epoch (the first epoch of each run, a warm-up, is left out). The weights the two
loops end with are checked to be equal, so the work is the same. Target: overhead under 10%.
Introduced in chapter "LeNet-5, AlexNet and VGG".
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

from cnnlib import data, models, train

TARGET = 0.10


def bare_loop(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, epochs: int, batch_size: int,
    lr: float, seed: int, device: torch.device,
) -> list[float]:
    """Train ``model`` with the plainest loop that does fit's work; return seconds per epoch."""
    model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)  # dropout's random numbers, seeded as fit seeds them
    seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        # The same random numbers as fit's DataLoader: a seed draw per epoch, then RandomSampler's
        # permutation and the (empty) remainder permutation it draws after it.
        torch.empty((), dtype=torch.int64).random_(generator=generator)
        order = torch.randperm(len(x), generator=generator)
        torch.randperm(len(x), generator=generator)
        model.train()
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), dtype=torch.int64, device=device)
        for i in range(0, len(x), batch_size):
            index = order[i:i + batch_size]
            inputs, labels = x[index].to(device), y[index].to(device)
            optimizer.zero_grad()
            logits = model(inputs)
            loss = F.cross_entropy(logits, labels)
            loss.backward()
            optimizer.step()
            loss_sum += loss.detach() * len(labels)
            correct += (logits.argmax(dim=1) == labels).sum()
        loss_sum.item(), correct.item()  # read once per epoch, as fit does
        seconds.append(time.perf_counter() - start)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("lenet5", "smallvgg"), default="lenet5")
    parser.add_argument("--epochs", type=int, default=6, help="epochs per run (the first is a warm-up)")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each loop, alternating")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--device", default=str(train.get_device()))
    args = parser.parse_args()
    device = torch.device(args.device)
    lr, seed = 1e-3, 0

    x, y = data.load_digits(size=32, split="train")
    torch.manual_seed(0)
    initial = models.LeNet5() if args.model == "lenet5" else models.SmallVGG()
    print(f"device: {device}, torch {torch.__version__}, {torch.get_num_threads()} CPU threads")
    print(f"{args.model}, {len(x):,} images of 32x32, batch {args.batch_size}, "
          f"{args.epochs} epochs x {args.repeats} runs of each loop")

    ours, bare = [], []
    for _ in range(args.repeats):
        model = copy.deepcopy(initial)
        history = train.fit(model, (x, y), epochs=args.epochs, lr=lr, batch_size=args.batch_size,
                            seed=seed, device=device, progress=False)
        ours += history.seconds[1:]
        reference = copy.deepcopy(initial)
        bare += bare_loop(reference, x, y, args.epochs, args.batch_size, lr, seed, device)[1:]
    for a, b in zip(model.state_dict().values(), reference.state_dict().values()):
        torch.testing.assert_close(a, b)  # the same work: the same weights at the end

    fit_ms, bare_ms = 1e3 * statistics.median(ours), 1e3 * statistics.median(bare)
    overhead = fit_ms / bare_ms - 1
    print(f"{'loop':<24} {'median ms/epoch':>16}")
    print(f"{'cnnlib.train.fit':<24} {fit_ms:>16.1f}")
    print(f"{'bare PyTorch loop':<24} {bare_ms:>16.1f}")
    verdict = "met" if overhead < TARGET else "NOT met"
    print(f"overhead of fit: {100 * overhead:+.1f}% (target under {100 * TARGET:g}%: {verdict})")


if __name__ == "__main__":
    main()
