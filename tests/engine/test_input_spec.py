"""InputSpec checks: rank bounds, dtype, axes, full shape, dict inputs."""

import pytest
import tensorflow as tf

from kengine.engine.input_spec import InputSpec, assert_input_compatibility


@pytest.mark.parametrize(
    "spec, shape, message",
    [
        (InputSpec(ndim=2), (2, 3, 4), "expected ndim=2, found ndim=3"),
        (InputSpec(min_ndim=3), (2, 3), "expected min_ndim=3, found ndim=2"),
        (InputSpec(max_ndim=2), (1, 2, 3), "expected max_ndim=2, found ndim=3"),
        (
            InputSpec(axes={-1: 4}),
            (2, 3),
            "expected axis -1 of input shape to have value 4",
        ),
        (
            InputSpec(shape=(None, 5)),
            (2, 4),
            r"expected shape=\(None, 5\), found shape=\(2, 4\)",
        ),
    ],
)
def test_incompatible_inputs_raise(spec, shape, message):
    with pytest.raises(ValueError, match=message):
        assert_input_compatibility(spec, tf.zeros(shape), "my_layer")


def test_dtype_and_count():
    with pytest.raises(ValueError, match="expected dtype=int32, found dtype=float32"):
        assert_input_compatibility(InputSpec(dtype="int32"), tf.zeros((1,)), "emb")
    with pytest.raises(ValueError, match='Layer "merge" expects 2 input'):
        assert_input_compatibility(
            [InputSpec(), InputSpec()], [tf.zeros((1,))], "merge"
        )


def test_compatible_and_named_inputs_pass():
    assert_input_compatibility(InputSpec(ndim=2, axes={1: 3}), tf.zeros((5, 3)), "ok")
    specs = [InputSpec(shape=(None, 2), name="a"), InputSpec(shape=(None, 3), name="b")]
    assert_input_compatibility(
        specs, {"b": tf.zeros((1, 3)), "a": tf.zeros((1, 2))}, "m"
    )


def test_repr_and_config():
    spec = InputSpec(ndim=3, axes={-1: 2})
    assert repr(spec) == "InputSpec(ndim=3, axes={-1: 2})"
    assert InputSpec.from_config(spec.get_config()).axes == {-1: 2}


# A model's input spec (`allow_last_axis_squeeze`): a rank off by one passes only
# through a trailing axis of 1, which the Functional model squeezes or adds.
@pytest.mark.parametrize(
    "spec_shape, shape",
    [
        ((None, 4), (2, 4)),
        ((None, 4), (2, 4, 1)),  # squeezed by the model
        ((None, 1), (2,)),  # expanded by the model
        ((None, 1), (2, 1, 1)),
        ((None, None), (2, 3, 1)),
    ],
)
def test_last_axis_squeeze_accepts_a_trailing_one(spec_shape, shape):
    spec = InputSpec(shape=spec_shape, allow_last_axis_squeeze=True)
    assert_input_compatibility(spec, tf.zeros(shape), "model")


@pytest.mark.parametrize(
    "spec_shape, shape, message",
    [
        ((None, 4), (2, 3, 4), r"expected shape=\(None, 4\), found shape=\(2, 3, 4\)"),
        ((None, 4), (2, 4, 4), r"expected shape=\(None, 4\), found shape=\(2, 4, 4\)"),
        ((None, 4), (2,), r"found shape=\(2,\)\. \(The batch axis may be missing"),
        ((None, None), (2, 3, 2), r"expected shape=\(None, None\)"),
        ((None, None), (2,), r"expected shape=\(None, None\), found shape=\(2,\)"),
        ((None, 1), (2, 2), r"expected shape=\(None, 1\), found shape=\(2, 2\)"),
        ((None, 3, 4), (2, 3, 5, 1), r"expected shape=\(None, 3, 4\)"),
    ],
)
def test_last_axis_squeeze_rejects_other_ranks(spec_shape, shape, message):
    # Keras 2 compares only the leading axes here and lets (2, 3, 4) into a model
    # built for (None, 4), which then returns a (2, 3, units) result.
    spec = InputSpec(shape=spec_shape, allow_last_axis_squeeze=True)
    with pytest.raises(ValueError, match='Input 0 of layer "model"') as info:
        assert_input_compatibility(spec, tf.zeros(shape), "model")
    assert info.match(message)


def test_last_axis_squeeze_with_only_a_rank_accepts_one_less():
    spec = InputSpec(ndim=3, allow_last_axis_squeeze=True)
    assert_input_compatibility(spec, tf.zeros((2, 3)), "layer")
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=4"):
        assert_input_compatibility(spec, tf.zeros((2, 3, 4, 5)), "layer")
