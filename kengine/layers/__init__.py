"""Keras 2 layers, one family per module; this file only re-exports them."""

from kengine.engine.base_layer import Layer
from kengine.engine.input_layer import Input, InputLayer
from kengine.engine.input_spec import InputSpec
from kengine.layers import experimental
from kengine.layers.activation import *  # noqa: F403
from kengine.layers.alpha_dropout import *  # noqa: F403
from kengine.layers.attention import AdditiveAttention, Attention, MultiHeadAttention
from kengine.layers.conv_lstm import *  # noqa: F403
from kengine.layers.convolutional import *  # noqa: F403
from kengine.layers.convolutional_depthwise import *  # noqa: F403
from kengine.layers.convolutional_transpose import *  # noqa: F403
from kengine.layers.core import *  # noqa: F403
from kengine.layers.einsum_dense import EinsumDense
from kengine.layers.embeddings import *  # noqa: F403
from kengine.layers.group_normalization import *  # noqa: F403
from kengine.layers.lambda_layer import *  # noqa: F403
from kengine.layers.merging import *  # noqa: F403
from kengine.layers.normalization import *  # noqa: F403
from kengine.layers.pooling import *  # noqa: F403
from kengine.layers.preprocessing import *  # noqa: F403
from kengine.layers.recurrent import *  # noqa: F403
from kengine.layers.regularization import *  # noqa: F403
from kengine.layers.reshaping import *  # noqa: F403
from kengine.layers.serialization import deserialize, get_builtin_layer, serialize
from kengine.layers.spectral_normalization import *  # noqa: F403
from kengine.layers.tf_op_layer import SlicingOpLambda, TFOpLambda
from kengine.layers.unit_normalization import *  # noqa: F403
from kengine.layers.wrappers import *  # noqa: F403
