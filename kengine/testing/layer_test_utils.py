"""`run_layer_test`: the one harness every layer test goes through.

Mirrors the role of Keras 2's `testing_infra/test_utils.py` (`layer_test`) and
Keras 3's `testing/test_case.py` (`run_layer_test`), written for kengine: one call
builds a layer from its constructor arguments and holds it to the conformance
matrix that all kengine layers share.

What `run_layer_test` checks, in order (each only where the caller gave the
expectation, or where the step is switched on):

1. construction: `layer_cls(**kwargs)`, called on the inputs (`call_kwargs`
   added), then `set_weights(weights)` when fixed weights are given;
2. weight counts (trainable / non-trainable) and, after the call, the number of
   `losses`;
3. output shape (None in the expectation matches any size), dtype and values
   (`expected_output`, to `rtol`/`atol`), and `supports_masking`;
4. `compute_output_shape` agrees with the real output shape;
5. functional construction: calling the layer on a `kengine.Input` gives a
   KerasTensor whose shape matches the output (batch axis unknown);
6. config round trip: `get_config()` is JSON-serializable, `from_config` builds
   a layer with an identical config, and with the same weights it computes the
   same output;
7. graph modes: the output inside `tf.function`, and inside
   `tf.function(jit_compile=True)` (XLA), equals the eager output;
8. a training step: under a `GradientTape`, with `training=True`, every
   trainable weight (and a float input) gets a gradient.

Steps 6 and 7 compare values only when `deterministic` is True; random layers
pass `deterministic=False` (or call in inference mode, where they are the
identity).

>>> from kengine import layers
>>> out = run_layer_test(
...     layers.Cropping1D,
...     {"cropping": (1, 2)},
...     input_shape=(2, 6, 3),
...     expected_output_shape=(2, 3, 3),
...     expected_num_trainable_weights=0,
... )
>>> out.shape
(2, 3, 3)
"""

import json
from collections.abc import Callable

import numpy as np
import tensorflow as tf

from kengine.engine.input_layer import Input
from kengine.utils import serialization

__all__ = ["run_layer_test", "range_like"]


def range_like(shape, scale: float = 0.1, offset: float = 0.0, dtype="float32"):
    """Deterministic, non-symmetric values of `shape` (no random generator).

    The same sine pattern as `tools/goldens/_common.range_like`, so a test can
    rebuild the inputs a golden file was made from.

    Args:
        shape: the array shape.
        scale: amplitude of the pattern.
        offset: phase shift, to get different arrays of the same shape.
        dtype: a float dtype, or an integer dtype for values in `[0, 10)`.

    Returns:
        A NumPy array.

    >>> range_like((2, 2), scale=1.0).round(3)
    array([[0.296, 0.841],
           [0.992, 0.675]], dtype=float32)
    """
    n = int(np.prod(shape)) if len(shape) else 1
    values = np.sin(np.arange(n, dtype=np.float64) * 0.7 + 0.3 + offset) * scale
    dtype = np.dtype(tf.as_dtype(dtype).as_numpy_dtype)
    if np.issubdtype(dtype, np.integer):
        return (np.abs(values / scale) * 10).astype(dtype).reshape(shape) % 10
    return values.reshape(shape).astype(dtype)


def run_layer_test(
    layer_cls: type,
    kwargs: dict | None = None,
    input_shape=None,
    input_dtype="float32",
    input_data=None,
    expected_output_shape=None,
    expected_output_dtype=None,
    expected_output=None,
    weights: list | None = None,
    expected_num_trainable_weights: int | None = None,
    expected_num_non_trainable_weights: int | None = None,
    expected_num_losses: int | None = None,
    supports_masking: bool | None = None,
    call_kwargs: dict | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    deterministic: bool = True,
    run_training_check: bool = True,
    run_jit_check: bool = True,
    run_functional_check: bool = True,
    custom_objects: dict | None = None,
) -> np.ndarray:
    """Builds `layer_cls(**kwargs)`, calls it, and checks it in every mode.

    Args:
        layer_cls: the layer class under test.
        kwargs: constructor arguments.
        input_shape: shape of generated inputs (`range_like`), batch included;
            ignored when `input_data` is given.
        input_dtype: dtype of generated inputs.
        input_data: the inputs (a NumPy array or tensor).
        expected_output_shape: expected output shape; None entries match any.
        expected_output_dtype: expected output dtype, e.g. "float32".
        expected_output: expected output values (compared to `rtol`, `atol`).
        weights: values for `set_weights` before computing the output, e.g.
            fixed values a golden file was made with.
        expected_num_trainable_weights: expected `len(trainable_weights)`.
        expected_num_non_trainable_weights: expected
            `len(non_trainable_weights)`.
        expected_num_losses: expected `len(losses)` after the call.
        supports_masking: expected value of `layer.supports_masking`.
        call_kwargs: extra arguments of every call (e.g. `{"training": True}`
            or `{"mask": mask}`).
        rtol: relative tolerance of value comparisons.
        atol: absolute tolerance of value comparisons.
        deterministic: False for random layers: values are then not compared
            between modes or with a rebuilt layer, only shapes.
        run_training_check: run the GradientTape training step.
        run_jit_check: run the layer under `tf.function(jit_compile=True)`.
        run_functional_check: call the layer on a `kengine.Input`.
        custom_objects: classes `from_config` needs to find by name.

    Returns:
        The eager output, as a NumPy array.

    Raises:
        AssertionError: when any check fails, saying which.
    """
    kwargs = dict(kwargs or {})
    call_kwargs = dict(call_kwargs or {})
    if input_data is None:
        if input_shape is None:
            raise ValueError("run_layer_test needs `input_shape` or `input_data`.")
        input_data = range_like(_concrete(input_shape), dtype=input_dtype)
    inputs = tf.convert_to_tensor(input_data)

    layer = layer_cls(**kwargs)
    outputs = layer(inputs, **call_kwargs)
    if weights is not None:
        layer.set_weights(weights)
        outputs = layer(inputs, **call_kwargs)
    _check_weights_and_losses(
        layer,
        expected_num_trainable_weights,
        expected_num_non_trainable_weights,
        expected_num_losses,
    )
    _check_output(
        layer, outputs, expected_output_shape, expected_output_dtype, supports_masking
    )
    if expected_output is not None:
        _assert_close(outputs, expected_output, rtol, atol, "eager output")
    _check_compute_output_shape(layer, inputs, outputs)
    if run_functional_check:
        _check_functional(layer, inputs, outputs, call_kwargs)
    _check_config_round_trip(
        layer, inputs, outputs, call_kwargs, deterministic, custom_objects, rtol, atol
    )
    _check_graph_modes(
        layer, inputs, outputs, call_kwargs, deterministic, run_jit_check, rtol, atol
    )
    if run_training_check:
        _check_training_step(layer, inputs, call_kwargs)
    return np.asarray(outputs)


# -- helpers -------------------------------------------------------------------


def _concrete(shape) -> tuple:
    """Replaces unknown sizes: 2 for the batch axis, 3 elsewhere."""
    return tuple(
        (2 if i == 0 else 3) if d is None else int(d) for i, d in enumerate(shape)
    )


def _assert_close(actual, expected, rtol, atol, what: str) -> None:
    np.testing.assert_allclose(
        np.asarray(actual),
        np.asarray(expected),
        rtol=rtol,
        atol=atol,
        err_msg=f"run_layer_test: {what} differs",
    )


def _assert_shape(actual, expected, what: str) -> None:
    actual = tuple(tf.TensorShape(actual).as_list())
    expected = tuple(expected)
    matches = len(actual) == len(expected) and all(
        e is None or a is None or a == e for a, e in zip(actual, expected)
    )
    assert matches, f"run_layer_test: {what} is {actual}, expected {expected}"


def _check_weights_and_losses(layer, trainable, non_trainable, losses) -> None:
    if trainable is not None:
        got = len(layer.trainable_weights)
        assert got == trainable, (
            f"run_layer_test: {layer.name} has {got} trainable weights, "
            f"expected {trainable}"
        )
    if non_trainable is not None:
        got = len(layer.non_trainable_weights)
        assert got == non_trainable, (
            f"run_layer_test: {layer.name} has {got} non-trainable weights, "
            f"expected {non_trainable}"
        )
    if losses is not None:
        got = len(layer.losses)
        assert got == losses, (
            f"run_layer_test: {layer.name} has {got} losses, expected {losses}"
        )


def _check_output(layer, outputs, shape, dtype, supports_masking) -> None:
    if shape is not None:
        _assert_shape(outputs.shape, shape, "output shape")
    if dtype is not None:
        got = tf.as_dtype(outputs.dtype).name
        assert got == tf.as_dtype(dtype).name, (
            f"run_layer_test: output dtype is {got}, expected {tf.as_dtype(dtype).name}"
        )
    if supports_masking is not None:
        assert layer.supports_masking == supports_masking, (
            f"run_layer_test: {layer.name}.supports_masking is "
            f"{layer.supports_masking}, expected {supports_masking}"
        )


def _check_compute_output_shape(layer, inputs, outputs) -> None:
    computed = layer.compute_output_shape(inputs.shape)
    _assert_shape(
        outputs.shape,
        tf.TensorShape(computed).as_list(),
        "output shape vs compute_output_shape",
    )


def _check_functional(layer, inputs, outputs, call_kwargs) -> None:
    symbolic_kwargs = {k: v for k, v in call_kwargs.items() if k != "mask"}
    symbolic_input = Input(shape=tuple(inputs.shape[1:]), dtype=inputs.dtype)
    symbolic_output = layer(symbolic_input, **symbolic_kwargs)
    expected = [None, *outputs.shape[1:]]
    _assert_shape(symbolic_output.shape, expected, "functional output shape")


def _check_config_round_trip(
    layer, inputs, outputs, call_kwargs, deterministic, custom_objects, rtol, atol
) -> None:
    config = layer.get_config()
    try:
        json.dumps(config)
    except TypeError as err:
        raise AssertionError(
            f"run_layer_test: get_config() of {layer.name} is not JSON-serializable: "
            f"{err}"
        ) from err
    with serialization.custom_object_scope(custom_objects or {}):
        clone = type(layer).from_config(config)
    clone_outputs = clone(inputs, **call_kwargs)
    clone.set_weights(layer.get_weights())
    assert clone.get_config() == config, (
        "run_layer_test: from_config(get_config()) gives a different config:\n"
        f"{clone.get_config()}\n!=\n{config}"
    )
    if deterministic:
        clone_outputs = clone(inputs, **call_kwargs)
        _assert_close(clone_outputs, outputs, rtol, atol, "output after from_config")


def _check_graph_modes(
    layer, inputs, outputs, call_kwargs, deterministic, run_jit, rtol, atol
) -> None:
    modes: list[tuple[str, Callable]] = [
        ("tf.function output", tf.function(lambda x: layer(x, **call_kwargs)))
    ]
    if run_jit:
        modes.append(
            (
                "tf.function(jit_compile=True) output",
                tf.function(lambda x: layer(x, **call_kwargs), jit_compile=True),
            )
        )
    for what, fn in modes:
        result = fn(inputs)
        _assert_shape(result.shape, outputs.shape.as_list(), what + " shape")
        if deterministic:
            _assert_close(result, outputs, rtol, atol, what)


def _check_training_step(layer, inputs, call_kwargs) -> None:
    # Keras 2 accepts `training` on every layer and drops it where call lacks it.
    call_kwargs = {**call_kwargs, "training": True}
    differentiable = inputs.dtype.is_floating
    with tf.GradientTape() as tape:
        if differentiable:
            tape.watch(inputs)
        outputs = layer(inputs, **call_kwargs)
        # A fixed, non-uniform cotangent so no gradient cancels out by symmetry.
        pattern = range_like(outputs.shape, scale=1.0, offset=0.5)
        loss = tf.reduce_sum(tf.cast(outputs, tf.float32) * pattern)
        loss += tf.add_n([tf.cast(x, tf.float32) for x in layer.losses] or [0.0])
    targets = list(layer.trainable_weights)
    if differentiable and outputs.dtype.is_floating:
        targets.append(inputs)
    grads = tape.gradient(loss, targets)
    missing = [
        getattr(t, "name", "inputs") for t, g in zip(targets, grads) if g is None
    ]
    assert not missing, f"run_layer_test: no gradient for {missing} of {layer.name}"
