"""EinsumDense: a dense layer whose contraction is written as an einsum equation.

Mirrors Keras 2's `layers/core/einsum_dense.py` (`EinsumDense`,
`_analyze_einsum_string`, `_analyze_split_string`).

`EinsumDense("abc,cde->abde", output_shape=(None, 4, 8), bias_axes="de")` maps
`(batch, steps, features)` to `(batch, steps, 4, 8)` with a kernel of shape
`(features, 4, 8)` and a bias of shape `(4, 8)`. The kernel's shape is read off
the equation: each kernel letter takes its size from the input (a contracted
axis) or from `output_shape` (a new axis). `output_shape` leaves out the batch
axis; `None` entries are axes the input decides. An ellipsis stands for axes
carried through unchanged, on the left (`"...b,bc->...c"`) or on the right
(`"ab...,bc->ac..."`). `MultiHeadAttention` builds its four projections from this
layer.

>>> import tensorflow as tf
>>> layer = EinsumDense("ab,bc->ac", output_shape=4, bias_axes="c")
>>> layer(tf.zeros((2, 3))).shape
TensorShape([2, 4])
>>> [tuple(w.shape) for w in layer.weights]
[(3, 4), (4,)]
"""

import re

import tensorflow as tf

from kengine import activations, constraints, initializers, regularizers
from kengine.engine.base_layer import Layer

__all__ = ["EinsumDense", "analyze_einsum_string"]

# The three equation forms Keras 2 accepts, with "..." written as "0", and
# whether the ellipsis sits on the left of the input and output.
_FORMS = (
    (r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", False),
    (r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", True),
    (r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", False),
)


def analyze_einsum_string(equation: str, bias_axes, input_shape, output_shape):
    """Reads the kernel, bias and full output shapes off an einsum equation.

    Args:
        equation: e.g. `"ab,bc->ac"`, `"...b,bc->...c"` or `"ab...,bc->ac..."`.
        bias_axes: letters of the output that get a bias, or None.
        input_shape: the input's `tf.TensorShape`, batch axis included.
        output_shape: the output's shape without the batch axis (an int for
            one axis); None entries (sizes the input decides) stay None.

    Returns:
        `(kernel_shape, bias_shape or None, full_output_shape)` as lists.

    Raises:
        ValueError: for an equation of none of the three forms, an output axis
            whose size disagrees with the input's, or a kernel or output letter
            that neither the input nor `output_shape` gives a size to.

    >>> analyze_einsum_string("abc,cde->abde", "de", tf.TensorShape((2, 5, 3)),
    ...                       [None, 4, 8])
    ([3, 4, 8], [4, 8], [2, None, 4, 8])
    """
    compact = equation.replace("...", "0")
    for pattern, left_elided in _FORMS:
        found = re.match(pattern, compact)
        if found:
            specs = found.groups()
            return _analyze_specs(
                specs, bias_axes, input_shape, output_shape, left_elided
            )
    raise ValueError(
        f"Invalid einsum equation '{equation}'. Equations must be in the form "
        "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]...."
    )


def _full_output_shape(input_shape, input_spec, output_shape, left_elided):
    """The output shape with the batch axis and the ellipsis axes filled in."""
    output = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    dims = list(input_shape)
    elided = len(dims) - len(input_spec)
    if elided > 0 and left_elided:
        # Axes 1..elided-1 ride through in front of the equation's axes.
        return [dims[0], *dims[1:elided], *output], elided
    if elided > 0:
        return [dims[0], *output, *dims[len(dims) - elided :]], elided
    return [dims[0], *output], elided


def _analyze_specs(specs, bias_axes, input_shape, output_shape, left_elided):
    input_spec, weight_spec, output_spec = specs
    dims = tf.TensorShape(input_shape).as_list()
    full, elided = _full_output_shape(dims, input_spec, output_shape, left_elided)
    if left_elided:
        # Input letters index from the end; output letters after the ellipsis.
        in_axis = {c: i + elided - len(dims) for i, c in enumerate(input_spec)}
        out_axis = {c: i + elided for i, c in enumerate(output_spec)}
    else:
        in_axis = {c: i for i, c in enumerate(input_spec)}
        out_axis = {c: i for i, c in enumerate(output_spec)}
    for c in input_spec:
        if c in out_axis and full[out_axis[c]] not in (None, dims[in_axis[c]]):
            raise ValueError(
                "Input shape and output shape do not match at shared dimension "
                f"'{c}'. Input shape is {dims[in_axis[c]]}, and output shape is "
                f"{full[out_axis[c]]}."
            )
    for c in output_spec:
        if c not in input_spec and c not in weight_spec:
            raise ValueError(
                f"Dimension '{c}' was specified in the output '{output_spec}' but "
                f"has no corresponding dim in the input spec '{input_spec}' or "
                f"weight spec '{weight_spec}'"
            )
    kernel_shape = []
    for c in weight_spec:
        if c in in_axis:
            kernel_shape.append(dims[in_axis[c]])
        elif c in out_axis:
            kernel_shape.append(full[out_axis[c]])
        else:
            raise ValueError(
                f"Weight dimension '{c}' did not have a match in either the input "
                f"spec '{input_spec}' or the output spec '{output_spec}'. For this "
                "layer, the weight must be fully specified."
            )
    bias_shape = None
    if bias_axes is not None:
        bias_shape = _bias_shape(bias_axes, output_spec, full, elided, left_elided)
    return kernel_shape, bias_shape, full


def _bias_shape(bias_axes, output_spec, full, elided, left_elided) -> list:
    """The bias broadcasts from its first axis on: 1 for output axes without one."""
    offset = elided if left_elided else 0
    size = {c: full[i + offset] for i, c in enumerate(output_spec)}
    for c in bias_axes:
        if c not in output_spec:
            raise ValueError(
                f"Bias dimension '{c}' was requested, but is not part of the "
                f"output spec '{output_spec}'"
            )
    first = min(output_spec.find(c) for c in bias_axes)
    shape = [size[c] if c in bias_axes else 1 for c in output_spec[first:]]
    if not left_elided:
        shape += [1] * elided  # the ellipsis axes after the equation's axes
    return shape


class EinsumDense(Layer):
    """A dense layer computing `activation(einsum(equation, inputs, kernel) + bias)`.

    Args:
        equation: the einsum equation `"<input>,<kernel>-><output>"`; see the
            module docstring for the ellipsis forms.
        output_shape: the output's shape without the batch axis (an int for
            a single axis); None entries take the input's size.
        activation: activation name or function (None: linear).
        bias_axes: output letters that get a bias (None: no bias).
        kernel_initializer: initializer of the kernel (default glorot_uniform).
        bias_initializer: initializer of the bias (default zeros).
        kernel_regularizer: regularizer of the kernel.
        bias_regularizer: regularizer of the bias.
        activity_regularizer: accepted and ignored, as in Keras 2 (which never
            applies it; `MultiHeadAttention` applies its own instead).
        kernel_constraint: constraint on the kernel.
        bias_constraint: constraint on the bias.
        **kwargs: base `Layer` arguments.

    Raises:
        ValueError: at build time, for an equation `analyze_einsum_string`
            rejects.
    """

    def __init__(
        self,
        equation: str,
        output_shape,
        activation=None,
        bias_axes: str | None = None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        # Keras 2 accepts `activity_regularizer` here but never hands it to the
        # base layer: no activity loss, and None in the config. Kept so models
        # train (and serialize) as they do there.
        del activity_regularizer
        super().__init__(**kwargs)
        self.equation = equation
        if isinstance(output_shape, int):
            self.partial_output_shape = [output_shape]
        else:
            self.partial_output_shape = list(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape) -> None:
        input_shape = tf.TensorShape(input_shape)
        kernel_shape, bias_shape, self.full_output_shape = analyze_einsum_string(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape
        )
        self.kernel = self.add_weight(
            "kernel",
            shape=kernel_shape,
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            dtype=self.dtype,
            trainable=True,
        )
        self.bias = None
        if bias_shape is not None:
            self.bias = self.add_weight(
                "bias",
                shape=bias_shape,
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                dtype=self.dtype,
                trainable=True,
            )
        super().build(input_shape)

    def call(self, inputs):
        outputs = tf.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            outputs += self.bias
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        # Computed from the shape asked about, so an unknown batch stays unknown
        # (Keras 2 answers with the shape the layer was built for).
        _, _, full = analyze_einsum_string(
            self.equation,
            self.bias_axes,
            tf.TensorShape(input_shape),
            self.partial_output_shape,
        )
        return tf.TensorShape(full)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "output_shape": self.partial_output_shape,
                "equation": self.equation,
                "activation": activations.serialize(self.activation),
                "bias_axes": self.bias_axes,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(
                    self.activity_regularizer
                ),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
            }
        )
        return config
