"""Shape inference for functional construction: run `call` on placeholders, not data.

Mirrors the middle of Keras 2's `Layer._functional_construction_call` and
`_infer_output_signature`, and `keras_tensor.keras_tensor_to_placeholder` /
`keras_tensor_from_tensor`.

`infer_outputs` opens a scratch `FuncGraph`, turns the input KerasTensors (and
their masks) into placeholders of the same spec, runs the layer's `call` there
with `training`/`mask` resolved as for a real call, and converts the graph
outputs (and the output masks) back into KerasTensors. The weights the call reads
are the layer's real eager variables, captured by the graph; losses added during
this pass are dropped (`CallContext.symbolic`), since no data flowed. The graph is
thrown away afterwards. A `dynamic=True` layer, whose `call` cannot be traced,
is asked for `compute_output_shape` instead.
"""

import tensorflow as tf

from kengine.engine import base_layer_utils as utils
from kengine.engine.keras_tensor import KerasTensor, from_tensor, to_placeholder

__all__ = ["infer_outputs"]


def _placeholder_with_mask(x):
    ph = to_placeholder(x)
    mask = getattr(x, "_keras_mask", None)
    if isinstance(x, KerasTensor) and isinstance(mask, KerasTensor):
        ph._keras_mask = to_placeholder(mask)
    return ph


def _to_keras(output):
    kt = from_tensor(output)
    if isinstance(kt, KerasTensor) and kt is not output:
        mask = getattr(output, "_keras_mask", None)
        kt._keras_mask = from_tensor(mask) if mask is not None else None
    return kt


def _from_output_shape(layer, inputs):
    shapes = tf.nest.map_structure(lambda x: x.shape, inputs)
    out_shapes = layer.compute_output_shape(shapes)
    return utils.map_shapes(
        lambda s: KerasTensor(tf.TensorSpec(s, layer.dtype)), out_shapes
    )


def infer_outputs(layer, spec, inputs, args, kwargs):
    """Returns the KerasTensors `layer.call` would produce for these arguments.

    Args:
        layer: the layer being called.
        spec: what its `call` accepts (from `base_layer._call_spec`).
        inputs: the first argument, holding KerasTensors.
        args: further positional arguments.
        kwargs: keyword arguments.

    Returns:
        The outputs, with every tensor replaced by a KerasTensor carrying its mask.
    """
    if layer.dynamic:
        return _from_output_shape(layer, inputs)
    graph = tf.__internal__.FuncGraph(f"{layer.name}_scratch_graph")
    ctx = utils.call_context()
    with graph.as_default():
        ph_inputs = tf.nest.map_structure(_placeholder_with_mask, inputs)
        ph_args, ph_kwargs = tf.nest.map_structure(to_placeholder, (args, kwargs))
        call_kwargs, training = layer._call_kwargs(spec, ph_inputs, ph_kwargs)
        with ctx.enter_symbolic(training), tf.name_scope(layer._name_scope()):
            outputs = utils.autographed_call(layer)(ph_inputs, *ph_args, **call_kwargs)
            layer._set_output_masks(ph_inputs, call_kwargs.get("mask"), outputs)
        return tf.nest.map_structure(_to_keras, outputs)
