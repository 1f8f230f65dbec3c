"""Matplotlib figures for the book. Every function returns the ``Figure`` it drew.

- :mod:`cnnlib.plot.images` -- grids of images, kernels and feature maps.
- :mod:`cnnlib.plot.training` -- learning curves and confusion matrices.
"""

from cnnlib.plot.images import show_images
from cnnlib.plot.training import confusion_matrix, learning_curves

__all__ = ["confusion_matrix", "learning_curves", "show_images"]
