"""ipywidgets explorers for live play in Jupyter and Colab (ipywidgets 7 and 8).

Each explorer has a static counterpart in its chapter, so the web site shows the same idea
without a kernel.
"""

from cnnlib.widgets.batchnorm import batch_norm_explorer
from cnnlib.widgets.conv import conv_explorer
from cnnlib.widgets.equivariance import equivariance_explorer
from cnnlib.widgets.features import feature_map_explorer
from cnnlib.widgets.pooling import pooling_explorer
from cnnlib.widgets.receptive_field import receptive_field_explorer
from cnnlib.widgets.resnet import gradient_explorer
from cnnlib.widgets.scaling import compound_scaling_explorer
from cnnlib.widgets.transfer import transfer_explorer

__all__ = [
    "equivariance_explorer",
    "conv_explorer",
    "pooling_explorer",
    "feature_map_explorer",
    "receptive_field_explorer",
    "batch_norm_explorer",
    "gradient_explorer",
    "compound_scaling_explorer",
    "transfer_explorer",
]
