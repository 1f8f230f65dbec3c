"""cnnlib: the support package of the course book *How Machines See*.

Each module holds one concept of the book:

- :mod:`cnnlib.arithmetic` -- shapes, sizes and counts (pure functions on numbers), with the
  receptive-field analysis of :mod:`cnnlib.receptive_field`.
- :mod:`cnnlib.ops` -- operations built from scratch, mirroring ``torch.nn.functional``.
- :mod:`cnnlib.models` -- the networks of the book as ``nn.Module`` classes.
- :mod:`cnnlib.data` -- real data: Fashion-MNIST, MNIST, scikit-learn's digits, photographs.
- :mod:`cnnlib.train` -- devices, seeds and a plain training loop.
- :mod:`cnnlib.results` -- measured results over seeds: spread and separation of settings.
- :mod:`cnnlib.gradients` -- gradient norms per layer (vanishing and exploding gradients).
- :mod:`cnnlib.transfer` -- pretrained weights (torchvision's and the book's own), freezing.
- :mod:`cnnlib.plot` -- matplotlib figures.
- :mod:`cnnlib.widgets` -- ipywidgets explorers (ipywidgets 7 and 8).
- :mod:`cnnlib.book` -- helpers that tie a notebook to the book (glued numbers).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cnnlib")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"
