"""Tests for kengine/engine/output_structures.py: matching structures to outputs."""

import pytest
import tensorflow as tf

from kengine import losses
from kengine.engine import output_structures as os_


def test_pseudo_names():
    assert os_.create_pseudo_output_names(tf.zeros([1])) == ["output_1"]
    assert os_.create_pseudo_output_names([1, 2]) == ["output_1", "output_2"]
    assert os_.create_pseudo_output_names({"a": [1, 2], "b": 3}) == ["a_1", "a_2", "b"]
    assert os_.create_pseudo_input_names([1, {"x": 2}]) == ["input_1", "input_2_x"]


def test_map_to_output_names():
    assert os_.map_to_output_names([1, 2], ["a", "b"], {"b": "mse"}) == [None, "mse"]
    assert os_.map_to_output_names(1, ["a"], {"a": "mse"}) == "mse"
    assert os_.map_to_output_names({"a": 1}, ["a"], {"a": "mse"}) == {"a": "mse"}
    with pytest.raises(
        ValueError, match=r"\['c'\]. Valid mode output names: \['a', 'b'\]"
    ):
        os_.map_to_output_names([1, 2], ["a", "b"], {"c": "mse"})


def test_map_missing_dict_keys_and_flatten_up_to():
    assert os_.map_missing_dict_keys({"a": 1, "b": 2}, {"a": "x"}) == {
        "a": "x",
        "b": None,
    }
    assert os_.flatten_up_to({"b": 1, "a": 2}, {"a": ["m"], "b": None}) == [["m"], None]
    assert os_.flatten_up_to([1, 2], None) == [None, None]
    with pytest.raises(ValueError, match="one entry per model output"):
        os_.flatten_up_to([1, 2], [["m"]])


def test_match_dtype_and_rank():
    y_t, y_p, sw = os_.match_dtype_and_rank(
        tf.constant([1, 0]), tf.zeros([2, 1], tf.float64), tf.constant([1, 2])
    )
    assert y_t.shape == (2, 1) and y_t.dtype == tf.int32  # int labels keep their dtype
    assert sw.shape == (2, 1) and sw.dtype == tf.float64
    y_t, _, sw = os_.match_dtype_and_rank(
        tf.zeros([2], tf.float64), tf.zeros([2, 3]), None
    )
    assert y_t.dtype == tf.float32 and sw is None


def test_get_custom_object_name():
    class MyLossFn:
        def __call__(self, y_true, y_pred):
            return y_pred

    assert os_.get_custom_object_name(MyLossFn()) == "my_loss_fn"
    assert os_.get_custom_object_name(len) == "len"


def _spec(*shape):
    return tf.TensorSpec(shape)


# Target shapes Keras 2 accepts and lines up (a trailing axis of 1 at most).
@pytest.mark.parametrize(
    "loss, y_true, y_pred",
    [
        ("mse", (None, 1), (None, 1)),
        ("mse", (None,), (None, 1)),  # Keras 2 expands the labels
        ("mse", (None, 1), (None,)),  # and squeezes them
        ("mse", (None, 5), (None, 5, 1)),  # return_sequences with one unit
        ("mse", (None, None), (None, 3)),  # unknown sizes match anything
        ("binary_crossentropy", (None,), (None, 1)),
        ("categorical_crossentropy", (None, 3), (None, 3)),
        ("sparse_categorical_crossentropy", (None,), (None, 3)),
        ("sparse_categorical_crossentropy", (None, 1), (None, 3)),
        ("sparse_categorical_crossentropy", (None, 5), (None, 5, 3)),
        ("sparse_categorical_crossentropy", (None, 5, 1), (None, 5, 3)),
        (losses.CosineSimilarity(), (None, 3), (None, 3)),
        (losses.SparseCategoricalCrossentropy(from_logits=True), (None,), (None, 4)),
    ],
)
def test_check_target_shape_accepts_what_keras_2_lines_up(loss, y_true, y_pred):
    os_.check_target_shape(loss, _spec(*y_true), _spec(*y_pred), "out")


@pytest.mark.parametrize(
    "loss, y_true, y_pred, message",
    [
        ("mse", (None, 3, 1), (None, 1), r"has shape \(None, 3, 1\).*\(None, 1\)"),
        ("mse", (None, 3), (None, 1), r"has shape \(None, 3\).*would broadcast"),
        ("mse", (None,), (None, 3), r"has shape \(None,\).*shape \(None, 3\)"),
        (losses.Huber(), (None, 1), (None, 2), "loss huber compares them"),
        (
            "categorical_crossentropy",
            (None, 1),
            (None, 3),
            "for integer class ids use sparse_categorical_crossentropy",
        ),
        (
            "sparse_categorical_crossentropy",
            (None, 2),
            (None, 3),
            r"one class id per prediction. Pass targets of shape \(None,\)",
        ),
        ("sparse_categorical_crossentropy", (None, 4), (None, 5, 3), r"\(None, 5\)"),
    ],
)
def test_check_target_shape_refuses_broadcasting(loss, y_true, y_pred, message):
    with pytest.raises(ValueError, match=r'Target `y` for output "out" has shape'):
        os_.check_target_shape(loss, _spec(*y_true), _spec(*y_pred), "out")
    with pytest.raises(ValueError, match=message):
        os_.check_target_shape(loss, _spec(*y_true), _spec(*y_pred), "out")


def test_custom_losses_are_not_checked():
    # A custom loss may read anything from its labels (extra columns, weights).
    def first_column_mse(y_true, y_pred):
        return tf.square(y_true[:, :1] - y_pred)

    class Mine(losses.MeanSquaredError):
        def call(self, y_true, y_pred):
            return first_column_mse(y_true, y_pred)

    for loss in (
        first_column_mse,
        losses.LossFunctionWrapper(first_column_mse),
        Mine(),
    ):
        os_.check_target_shape(loss, _spec(None, 5), _spec(None, 1), "out")
