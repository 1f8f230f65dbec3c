"""Speed of cnnlib's convolutions relative to torch.nn.functional.conv2d, on this machine, now.

Usage: python benchmarks/conv.py [--min-run-time SECONDS] [--device cpu|cuda]

Prints, for a ResNet-like layer (batch 8, 64 -> 64 channels, 56x56, 3x3, padding 1) and a strided
one (64 -> 128 channels, stride 2, the first layer of ResNet's second stage), the median time of
``cnnlib.ops.conv2d`` (im2col + matrix product) and of ``F.conv2d`` and their ratio; then the same
for ``cnnlib.ops.conv2d_naive`` (explicit loops) on a small input. Every time is measured in the
same run on the same machine, so the ratios are comparable even where the absolute times are not
(a shared machine makes them noisy). Target: ``conv2d`` within 3x of ``F.conv2d`` on a CPU.
Introduced in chapter "The convolution operation".
"""

from __future__ import annotations

import argparse

import torch
import torch.nn.functional as F
from torch.utils.benchmark import Timer

from cnnlib import ops

TARGET = 3.0

# name: (batch, in channels, out channels, side, kernel, stride, padding)
LAYERS = {
    "ResNet-like 3x3 (8x64x56x56 -> 64)": (8, 64, 64, 56, 3, 1, 1),
    "strided 3x3, stride 2 (8x64x56x56 -> 128)": (8, 64, 128, 56, 3, 2, 1),
}
SMALL = {"small, for conv2d_naive (1x8x16x16 -> 8)": (1, 8, 8, 16, 3, 1, 1)}


def median_seconds(fn, *args, min_run_time: float, **kwargs) -> float:
    """Median run time of ``fn(*args, **kwargs)``, measured by torch.utils.benchmark."""
    timer = Timer("fn(*args, **kwargs)", globals={"fn": fn, "args": args, "kwargs": kwargs})
    return timer.blocked_autorange(min_run_time=min_run_time).median


def compare(ours, layers: dict, device: torch.device, min_run_time: float) -> list[tuple[str, float, float]]:
    """(layer, seconds of ``ours``, seconds of F.conv2d) for each layer, checking the results agree."""
    rows = []
    generator = torch.Generator().manual_seed(0)
    for name, (n, c_in, c_out, side, k, s, p) in layers.items():
        x = torch.randn(n, c_in, side, side, generator=generator).to(device)
        weight = torch.randn(c_out, c_in, k, k, generator=generator).to(device) / (c_in * k * k) ** 0.5
        bias = torch.randn(c_out, generator=generator).to(device)
        with torch.no_grad():
            torch.testing.assert_close(ours(x, weight, bias, s, p), F.conv2d(x, weight, bias, s, p),
                                       rtol=1e-4, atol=1e-4)
            mine = median_seconds(ours, x, weight, bias, s, p, min_run_time=min_run_time)
            theirs = median_seconds(F.conv2d, x, weight, bias, s, p, min_run_time=min_run_time)
        rows.append((name, mine, theirs))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-run-time", type=float, default=1.0, help="seconds per measurement")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    device = torch.device(args.device)
    print(f"device: {device}, torch {torch.__version__}, {torch.get_num_threads()} CPU threads")
    print(f"{'function':<14} {'layer':<44} {'ours (ms)':>10} {'F.conv2d (ms)':>14} {'ratio':>7}")
    ratios = []
    for fn, layers in ((ops.conv2d, LAYERS), (ops.conv2d_naive, SMALL)):
        for name, mine, theirs in compare(fn, layers, device, args.min_run_time):
            ratio = mine / theirs
            if fn is ops.conv2d:
                ratios.append(ratio)
            print(f"{fn.__name__:<14} {name:<44} {1e3 * mine:>10.2f} {1e3 * theirs:>14.2f} {ratio:>6.1f}x")
    verdict = "met" if max(ratios) <= TARGET else "NOT met"
    print(f"target (conv2d within {TARGET:g}x of F.conv2d): {verdict}, worst ratio {max(ratios):.2f}x")


if __name__ == "__main__":
    main()
