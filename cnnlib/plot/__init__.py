"""Matplotlib figures for the book. Every function returns the ``Figure`` it drew.

A figure draws from results it is handed (or computes them with the core modules): the numbers a
chapter quotes come from :mod:`cnnlib.arithmetic`, :mod:`cnnlib.activations` and the like, never
from here.

- ``cnnlib.plot.images`` -- grids of images, kernels and feature maps.
- ``cnnlib.plot.architecture`` -- a network or block drawn from its own modules, layer by layer.
- ``cnnlib.plot.animation`` -- the sliding window of a convolution, still or animated.
- ``cnnlib.plot.transposed`` -- a transposed convolution's painted copies; maps side by side.
- ``cnnlib.plot.training`` -- learning curves and confusion matrices.
- ``cnnlib.plot.features`` -- learned filters and the feature maps of one image.
- ``cnnlib.plot.pooling`` -- pooled images beside their input.
- ``cnnlib.plot.normalisation`` -- the values batch, layer, instance and group norm pool.
- ``cnnlib.plot.activations`` -- activation and batch statistics of a network during training.
- ``cnnlib.plot.receptive_field`` -- the cone of units one output sees; fields on a photo.
- ``cnnlib.plot.gradients`` -- gradient norms per layer against depth.
- ``cnnlib.plot.scaling`` -- EfficientNet's compound scaling: multipliers and predicted MACs.
- ``cnnlib.plot.transfer`` -- accuracy against the number of labels, per transfer strategy.
- ``cnnlib.plot.results`` -- measured results over seeds: every run and each setting's mean.
- ``cnnlib.plot.interpret`` -- attribution maps over their images; feature maps layer by layer.
"""

from cnnlib.plot.activations import activation_statistics, batch_statistics
from cnnlib.plot.architecture import show_architecture
from cnnlib.plot.animation import animation_html, conv_animation, sliding_window
from cnnlib.plot.features import show_feature_maps, show_filters
from cnnlib.plot.gradients import gradient_norms
from cnnlib.plot.images import figure_png, show_images
from cnnlib.plot.interpret import show_attributions, show_layer_maps
from cnnlib.plot.normalisation import show_normalisation_axes
from cnnlib.plot.pooling import show_pooling
from cnnlib.plot.receptive_field import field_diagram, show_receptive_fields
from cnnlib.plot.results import accuracy_vs_cost, seed_spread
from cnnlib.plot.scaling import show_compound_scaling
from cnnlib.plot.training import confusion_matrix, learning_curves
from cnnlib.plot.transposed import show_maps, transposed_conv_steps
from cnnlib.plot.transfer import label_curves

__all__ = [
    "show_images",
    "figure_png",
    "sliding_window",
    "conv_animation",
    "animation_html",
    "transposed_conv_steps",
    "show_maps",
    "learning_curves",
    "confusion_matrix",
    "show_filters",
    "show_feature_maps",
    "show_pooling",
    "activation_statistics",
    "batch_statistics",
    "field_diagram",
    "show_receptive_fields",
    "gradient_norms",
    "show_compound_scaling",
    "label_curves",
    "seed_spread",
    "show_attributions",
    "show_layer_maps",
    "show_architecture",
    "show_normalisation_axes",
    "accuracy_vs_cost",
]
