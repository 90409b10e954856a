"""The attention layers (Keras 2's `layers/attention/`); this file only re-exports."""

from kengine.layers.attention.additive_attention import AdditiveAttention
from kengine.layers.attention.attention import Attention
from kengine.layers.attention.base_dense_attention import BaseDenseAttention
from kengine.layers.attention.multi_head_attention import MultiHeadAttention

__all__ = ["AdditiveAttention", "Attention", "BaseDenseAttention", "MultiHeadAttention"]
