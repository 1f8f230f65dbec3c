"""Every network the book trains, trained on Fashion-MNIST with one recipe: the appendix's table.

Usage: python benchmarks/model_table.py [--model NAME ...] [--seeds N | --seed S ...] [--out CSV]
                                       [--device D] [--timing]

Each network of :func:`cnnlib.models.zoo.book_models` (but the shipped backbone of chapter
"Transfer learning", trained by ``tools/pretrain_backbone.py``), as its chapter configures it, learns all
60,000 training images (standardised with the training set's statistics; padded to 32x32 for
the networks whose chapter pads them, ``image_size`` 32) with ``cnnlib.train.lenet5_recipe()``,
the book's one recipe (Adam, cosine decay, 3 epochs), and is measured on all 10,000 test
images. Each seed is one run, one row of the CSV (``cnnlib/models/zoo_fashion_mnist.csv`` by
default, shipped with cnnlib); a rerun
replaces the rows of the same network and seed, so the table can be filled one network at a
time, and on a busy machine.

A network's ``epoch_seconds`` is the median time of one epoch over its runs (the test pass
excluded), which is only meaningful on an otherwise idle machine; ``timed_on`` says where it was
measured (the CPU and its threads, or the GPU). On a busy machine, or to train on a GPU and time
on a CPU, fill the accuracies first and time afterwards with ``--timing``: one epoch of each
network (seed 0, the recipe's batch size) when the machine is idle, written with ``timed_on``
into all that network's rows. Appendix "Every model on Fashion-MNIST" reads the file.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
from pathlib import Path

import pandas as pd
import torch
import torch.nn.functional as F

from cnnlib import arithmetic, data, train
from cnnlib.models import zoo

OUT = zoo.MEASURED
COLUMNS = ["model", "chapter", "seed", "accuracy", "epochs", "epoch_seconds", "timed_on", "params",
           "macs", "device", "threads", "torch"]


def cpu_name() -> str:
    """The CPU's model name where the system reports it, else the architecture."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    entries = {name: entry for name, entry in zoo.book_models().items() if not entry.shipped}
    parser.add_argument("--model", action="append", choices=tuple(entries),
                        help="a network of the catalogue (repeat for several; default: all)")
    parser.add_argument("--seeds", type=int, default=3, help="runs, with seeds 0, 1, ...")
    parser.add_argument("--seed", type=int, action="append",
                        help="run only this seed (repeat for several; overrides --seeds)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--device", default=str(train.get_device()))
    parser.add_argument("--timing", action="store_true",
                        help="time one epoch of each network instead (on an idle machine)")
    args = parser.parse_args()
    device = torch.device(args.device)
    names = args.model or list(entries)

    x_train, y_train = data.load_fashion_mnist("train")
    x_test, y_test = data.load_fashion_mnist("test")
    recipe = train.lenet5_recipe()
    where = cpu_name() if device.type == "cpu" else torch.cuda.get_device_name(device)
    timed_on = f"{where}, {torch.get_num_threads()} threads" if device.type == "cpu" else where
    print(f"{where}, torch {torch.__version__}, {torch.get_num_threads()} threads; "
          f"{recipe['epochs']} epochs, batch {recipe['batch_size']}, Adam {recipe['lr']:g}, cosine")
    rows, epoch_seconds = [], {}
    for name in names:
        entry = entries[name]
        pad = (entry.image_size - 28) // 2
        train_x, test_x = data.standardize(F.pad(x_train, (pad,) * 4), F.pad(x_test, (pad,) * 4))
        if args.timing:
            train.seed_everything(0)
            history = train.fit(entry.build(), (train_x, y_train), seed=0, device=device,
                                progress=False, **{**recipe, "epochs": 1})
            epoch_seconds[name] = history.seconds[0]
            print(f"{name:40} one epoch: {epoch_seconds[name]:6.1f} s", flush=True)
            continue
        count = arithmetic.count_macs(entry.build(), (1, entry.image_size, entry.image_size))
        seconds = []
        for seed in args.seed or range(args.seeds):
            train.seed_everything(seed)
            model = entry.build()
            history = train.fit(model, (train_x, y_train), seed=seed, device=device,
                                progress=False, **recipe)
            seconds += history.seconds
            accuracy = train.evaluate(model, (test_x, y_test)).accuracy
            rows.append(dict(model=name, chapter=entry.chapter, seed=seed, accuracy=accuracy,
                             epochs=recipe["epochs"], timed_on=timed_on,
                             params=count.params, macs=count.total,
                             device=where, threads=torch.get_num_threads(),
                             torch=torch.__version__))
            print(f"{name:40} seed {seed}: {100 * accuracy:6.2f} %", flush=True)
        epoch_seconds[name] = statistics.median(seconds)

    if args.timing:
        if not args.out.exists():
            raise SystemExit(f"{args.out} holds no runs yet: train the networks before timing them")
        new = pd.read_csv(args.out)
        for name, seconds in epoch_seconds.items():
            new.loc[new["model"] == name, "epoch_seconds"] = seconds
            new.loc[new["model"] == name, "timed_on"] = timed_on
        new.to_csv(args.out, index=False, float_format="%.6g")
        print(f"epoch times of {len(epoch_seconds)} networks in {os.path.relpath(args.out)}")
        return
    new = pd.DataFrame(rows, columns=COLUMNS)
    if args.out.exists():
        old = pd.read_csv(args.out)
        keep = ~old.set_index(["model", "seed"]).index.isin(new.set_index(["model", "seed"]).index)
        new = pd.concat([old[keep], new], ignore_index=True)
    for name, seconds in epoch_seconds.items():  # the latest time of a network, in all its rows
        new.loc[new["model"] == name, "epoch_seconds"] = seconds
        new.loc[new["model"] == name, "timed_on"] = timed_on
    order = {name: i for i, name in enumerate(entries)}
    new = new.sort_values(["model", "seed"], key=lambda c: c.map(order) if c.name == "model" else c)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    new.to_csv(args.out, index=False, float_format="%.6g")
    print(f"{len(new)} runs in {os.path.relpath(args.out)}")


if __name__ == "__main__":
    main()
