"""Matplotlib figures for the book. Every function returns the ``Figure`` it drew.

- :mod:`cnnlib.plot.images` -- grids of images, kernels and feature maps.
- :mod:`cnnlib.plot.animation` -- the sliding window of a convolution, still or animated.
- :mod:`cnnlib.plot.training` -- learning curves and confusion matrices.
- :mod:`cnnlib.plot.features` -- learned filters and the feature maps of one image.
- :mod:`cnnlib.plot.pooling` -- pooled images beside their input.
- :mod:`cnnlib.plot.activations` -- activation statistics of a network during training.
- :mod:`cnnlib.plot.receptive_field` -- the cone of units one output sees; fields on a photo.
"""

from cnnlib.plot.activations import activation_statistics
from cnnlib.plot.animation import animation_html, conv_animation, sliding_window
from cnnlib.plot.features import show_feature_maps, show_filters
from cnnlib.plot.images import show_images
from cnnlib.plot.pooling import show_pooling
from cnnlib.plot.receptive_field import field_diagram, show_receptive_fields
from cnnlib.plot.training import confusion_matrix, learning_curves

__all__ = [
    "activation_statistics", "animation_html", "conv_animation", "confusion_matrix", "learning_curves", "show_feature_maps", "show_filters",
    "show_images", "show_pooling", "sliding_window",
    "field_diagram", "show_receptive_fields",
]
