"""ipywidgets explorers for live play in Jupyter and Colab (ipywidgets 7 and 8).

Every explorer is a ``VBox`` of one pattern: a function ``xxx_explorer(...)`` returns an
``XxxExplorer`` whose controls are named attributes (``explorer.stride.value = 2``, also in
``explorer.controls``), with a ``summary`` line and a ``picture`` of the figure, both redrawn by
one ``update`` whenever a control changes. Each explorer has a static counterpart in its
chapter, so the web site shows the same idea without a kernel.
"""

from cnnlib.widgets.batchnorm import BatchNormExplorer, batch_norm_explorer
from cnnlib.widgets.conv import ConvExplorer, conv_explorer
from cnnlib.widgets.equivariance import EquivarianceExplorer, equivariance_explorer
from cnnlib.widgets.features import FeatureMapExplorer, feature_map_explorer
from cnnlib.widgets.interpret import AttributionExplorer, attribution_explorer
from cnnlib.widgets.pooling import PoolingExplorer, pooling_explorer
from cnnlib.widgets.receptive_field import ReceptiveFieldExplorer, receptive_field_explorer
from cnnlib.widgets.resnet import GradientExplorer, gradient_explorer
from cnnlib.widgets.scaling import CompoundScalingExplorer, compound_scaling_explorer
from cnnlib.widgets.transfer import TransferExplorer, transfer_explorer

__all__ = [
    "equivariance_explorer",
    "EquivarianceExplorer",
    "conv_explorer",
    "ConvExplorer",
    "pooling_explorer",
    "PoolingExplorer",
    "feature_map_explorer",
    "FeatureMapExplorer",
    "receptive_field_explorer",
    "ReceptiveFieldExplorer",
    "batch_norm_explorer",
    "BatchNormExplorer",
    "gradient_explorer",
    "GradientExplorer",
    "compound_scaling_explorer",
    "CompoundScalingExplorer",
    "transfer_explorer",
    "TransferExplorer",
    "attribution_explorer",
    "AttributionExplorer",
]
