"""kengine.layers.preprocessing.base_preprocessing_layer: the `adapt()` machinery.

A small PreprocessingLayer that counts the batches and samples it is shown
checks how `adapt` slices each kind of data; real layers check the results.
"""

import numpy as np
import pytest
import tensorflow as tf

from kengine.layers.preprocessing.base_preprocessing_layer import (
    PreprocessingLayer,
    adapt_dataset,
)
from kengine.layers.preprocessing.normalization import Normalization
from kengine.layers.preprocessing.string_lookup import StringLookup


class Counter(PreprocessingLayer):
    """Counts batches and samples; `finalize_state` publishes the totals."""

    def build(self, input_shape):
        super().build(input_shape)
        self.batches = tf.Variable(0, trainable=False)
        self.samples = tf.Variable(0, trainable=False)

    def update_state(self, data):
        self.batches.assign_add(1)
        self.samples.assign_add(tf.shape(data)[0])

    def reset_state(self):
        self.batches.assign(0)
        self.samples.assign(0)

    def finalize_state(self):
        self.totals = (int(self.batches), int(self.samples))


@pytest.mark.parametrize(
    ("data", "kwargs", "totals"),
    [
        (np.arange(70.0), {}, (3, 70)),  # batches of 32 by default
        (list(range(10)), {"batch_size": 4}, (3, 10)),
        (tf.range(10), {"batch_size": 5, "steps": 1}, (1, 5)),
        (tf.ragged.constant([[1], [2, 3], [4]]), {"batch_size": 2}, (2, 3)),
        (tf.data.Dataset.range(9).batch(2), {}, (5, 9)),
        (tf.data.Dataset.range(9).batch(2), {"steps": 2, "batch_size": 99}, (2, 4)),
    ],
)
def test_adapt_slices_each_kind_of_data(data, kwargs, totals):
    layer = Counter()
    layer.adapt(data, **kwargs)
    assert layer.totals == totals and layer.is_adapted


@pytest.mark.parametrize("run_eagerly", [True, False])
@pytest.mark.parametrize("steps_per_execution", [1, 3])
def test_compile_options_consume_every_batch(run_eagerly, steps_per_execution):
    layer = Counter()
    layer.compile(run_eagerly=run_eagerly, steps_per_execution=steps_per_execution)
    layer.adapt(np.arange(7), batch_size=1)
    assert layer.totals == (7, 7)
    layer.adapt(np.arange(3), batch_size=1)  # a new adapt starts from zero
    assert layer.totals == (3, 3)


def test_adapt_records_the_input_shape_in_the_config():
    layer = Counter()
    layer.adapt(np.zeros((4, 3)))
    assert layer.get_config()["batch_input_shape"] == (None, None)


def test_reset_state_marks_the_layer_not_adapted():
    layer = StringLookup()
    assert not layer.is_adapted
    layer.adapt(["a"])
    assert layer.is_adapted
    layer.reset_state()
    assert not layer.is_adapted
    assert layer.get_vocabulary() == ["[UNK]", "a"]  # the state stays until re-adapted


@pytest.mark.parametrize(
    "data",
    [
        tf.data.Dataset.from_tensor_slices(tf.constant([], tf.string)).batch(2),
        np.array([], dtype=str),
        [],
    ],
    ids=["dataset", "array", "list"],
)
def test_adapt_on_empty_data_names_the_argument(data):
    with pytest.raises(
        ValueError, match="non-empty.*received `data` with no samples: data="
    ):
        StringLookup().adapt(data)


def test_adapt_on_an_empty_dataset_of_numbers():
    empty = tf.data.Dataset.from_tensor_slices(np.zeros((0, 3), np.float32)).batch(2)
    with pytest.raises(ValueError, match="Normalization.adapt\\(\\) received `data`"):
        Normalization().adapt(empty)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"batch_size": 0}, "batch_size=0"), ({"steps": -1}, "steps=-1")],
)
def test_bad_batch_size_or_steps(kwargs, match):
    with pytest.raises(ValueError, match=match):
        adapt_dataset([1, 2], **kwargs)


def test_bad_steps_per_execution():
    with pytest.raises(ValueError, match="steps_per_execution=0"):
        Counter().compile(steps_per_execution=0)


def test_adapt_inside_a_tf_function_is_refused():
    layer = Counter()

    @tf.function
    def adapt_in_graph():
        layer.adapt([1.0])

    with pytest.raises(RuntimeError, match="inside a `tf.function`"):
        adapt_in_graph()


def test_the_base_class_asks_subclasses_for_the_statistics():
    with pytest.raises(NotImplementedError, match="update_state"):
        PreprocessingLayer().update_state(tf.zeros(1))
    with pytest.raises(NotImplementedError, match="reset_state"):
        PreprocessingLayer().reset_state()


def test_set_weights_checks_the_count_then_finalizes():
    layer = Normalization(axis=None)
    layer.build(tf.TensorShape([None]))
    with pytest.raises(ValueError, match="expecting 3 weights"):
        layer.set_weights([np.zeros(1)])
    layer.set_weights([np.array(2.0), np.array(4.0), np.array(3)])
    np.testing.assert_allclose(layer(tf.constant([4.0])).numpy(), [1.0])


def test_lists_of_values_are_one_input():
    layer = StringLookup(vocabulary=["a", "b"])
    assert layer(["b", "a", "c"]).numpy().tolist() == [2, 1, 0]
