"""Tests for kengine/engine/data_adapter.py: DataHandler's epochs, steps and errors.

The step bookkeeping and error messages are checked against tf_keras goldens
(testdata/data/, written by tools/goldens/data.py); batching, shuffling and
distribution against exact expected values.
"""

import logging

import numpy as np
import pytest
import tensorflow as tf

from kengine.engine import data_adapter
from kengine.engine.data_adapter import DataHandler
from kengine.utils.data_utils import Sequence
from tests.goldens import load_json

STEP_CASES = load_json("data", "handler_steps.json")
ERRORS = load_json("data", "errors.json")


def _iterate(handler):
    """Runs the fit loop's iteration; returns per-epoch lists of batches."""
    epochs = []
    for _, iterator in handler.enumerate_epochs():
        batches = []
        with handler.catch_stop_iteration():
            for _ in handler.steps():
                for _ in range(handler.step_increment + 1):
                    batches.append(next(iterator))
        epochs.append(batches)
    return epochs


@pytest.mark.parametrize("case", STEP_CASES, ids=lambda c: str(c["case"]))
def test_steps_and_batches_match_tf_keras(case):
    samples, batch_size, spe, steps_per_epoch, epochs = case["case"]
    x = np.arange(samples, dtype="float32").reshape(samples, 1)
    handler = DataHandler(
        x,
        x,
        batch_size=batch_size,
        steps_per_epoch=steps_per_epoch,
        epochs=epochs,
        steps_per_execution=tf.Variable(spe),
    )
    assert handler.inferred_steps == case["result"]["inferred_steps"]
    got = []
    for _, iterator in handler.enumerate_epochs():
        steps, sizes = [], []
        with handler.catch_stop_iteration():
            for step in handler.steps():
                steps.append([step, handler.step_increment])
                for _ in range(handler.step_increment + 1):
                    sizes.append(int(next(iterator)[0].shape[0]))
        got.append({"steps": steps, "batch_sizes": sizes})
    assert got == case["result"]["epochs"]


def _dataset():
    return tf.data.Dataset.from_tensor_slices((np.zeros((10, 2)), np.zeros(10))).batch(
        2
    )


ERROR_CASES = {
    "cardinality": lambda: DataHandler(np.zeros((10, 2)), np.zeros((9,))),
    "dataset_with_y": lambda: DataHandler(_dataset(), np.zeros((9,))),
    "infinite_dataset": lambda: DataHandler(_dataset().repeat()),
    "validation_split_dataset": lambda: data_adapter.train_validation_split(
        (_dataset(),), 0.2
    ),
    "class_weight_multi_output": lambda: DataHandler(
        np.zeros((10, 2)),
        (np.zeros((10, 2)), np.zeros((10, 2))),
        class_weight={0: 1.0, 1: 1.0},
    ),
    "batch_size": lambda: DataHandler(np.zeros((10, 2)), batch_size=0),
    "steps_per_epoch": lambda: DataHandler(np.zeros((10, 2)), steps_per_epoch=0),
    "initial_epoch": lambda: DataHandler(np.zeros((10, 2)), initial_epoch=-1),
}


@pytest.mark.parametrize("name", sorted(ERROR_CASES))
def test_error_messages_match_tf_keras(name):
    with pytest.raises(ValueError) as info:
        ERROR_CASES[name]()
    assert str(info.value) == ERRORS[name]


def test_unsupported_input_type_is_named():
    with pytest.raises(ValueError, match="Failed to find data adapter.*<class 'set'>"):
        DataHandler({1, 2, 3})
    with pytest.raises(ValueError, match="Failed to find data adapter"):
        DataHandler(None)


def test_empty_data_is_refused():
    with pytest.raises(ValueError, match="Expected input data to be non-empty."):
        DataHandler(np.zeros((0, 3)))


def test_arrays_batch_in_order_with_partial_last_batch():
    x = np.arange(20, dtype="float64").reshape(10, 2)
    y = np.arange(10)
    handler = DataHandler(x, y, batch_size=4)
    [batches] = _iterate(handler)
    assert [b[1].numpy().tolist() for b in batches] == [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
        [8, 9],
    ]
    np.testing.assert_array_equal(batches[2][0].numpy(), [[16, 17], [18, 19]])
    # Float64 arrays train in floatx; integer labels keep their dtype.
    assert batches[0][0].dtype == tf.float32 and batches[0][1].dtype == tf.int64
    assert handler._samples == 10


@pytest.mark.parametrize("samples", [8, 10])
def test_element_spec_has_unknown_batch_dimension(samples):
    handler = DataHandler(np.zeros((samples, 3)), np.zeros((samples, 1)), batch_size=4)
    _, iterator = next(handler.enumerate_epochs())
    x_spec, y_spec = iterator.element_spec
    assert x_spec.shape.as_list() == [None, 3]
    assert y_spec.shape.as_list() == [None, 1]


def test_partial_last_batch_does_not_retrace():
    handler = DataHandler(np.ones((10, 3)), np.ones((10, 1)), batch_size=4)
    step = tf.function(lambda iterator: tf.reduce_sum(next(iterator)[0]))
    totals = []
    for _, iterator in handler.enumerate_epochs():
        for _ in handler.steps():
            totals.append(float(step(iterator)))
    assert totals == [12.0, 12.0, 6.0]
    assert step.experimental_get_tracing_count() == 1


def _epoch_orders(seed, shuffle, epochs=3, samples=12, batch_size=4):
    tf.random.set_seed(seed)
    x = np.arange(samples)
    handler = DataHandler(
        x, x * 10, batch_size=batch_size, epochs=epochs, shuffle=shuffle
    )
    orders = []
    for batches in _iterate(handler):
        for bx, by in batches:
            # x and y rows stay aligned whatever the order.
            np.testing.assert_array_equal(by.numpy(), bx.numpy() * 10)
        orders.append([bx.numpy().tolist() for bx, _ in batches])
    return orders


def test_shuffle_reorders_every_epoch_reproducibly():
    orders = _epoch_orders(seed=7, shuffle=True)
    flat = [sum(epoch, []) for epoch in orders]
    for epoch in flat:
        assert sorted(epoch) == list(range(12))
    assert flat[0] != list(range(12))
    assert flat[0] != flat[1] != flat[2]
    assert _epoch_orders(seed=7, shuffle=True) == orders
    assert _epoch_orders(seed=8, shuffle=True) != orders


def test_shuffle_batch_shuffles_whole_chunks():
    orders = _epoch_orders(seed=3, shuffle="batch", samples=10, epochs=4)
    chunks = {(0, 1, 2, 3), (4, 5, 6, 7), (8, 9)}
    for epoch in orders:
        assert {tuple(sorted(batch)) for batch in epoch} == chunks
    # Over 4 epochs, the chunk order and the order inside chunks both change.
    assert len({tuple(tuple(b) for b in epoch) for epoch in orders}) > 1
    assert any(batch != sorted(batch) for epoch in orders for batch in epoch)


def test_no_shuffle_keeps_order_every_epoch():
    orders = _epoch_orders(seed=1, shuffle=False, epochs=2, samples=6)
    assert orders == [[[0, 1, 2, 3], [4, 5]]] * 2


def test_class_weight_becomes_sample_weight():
    y = np.array([0, 1, 1, 0, 1])
    handler = DataHandler(
        np.zeros((5, 2)), y, batch_size=5, class_weight={0: 1.0, 1: 3.0}
    )
    [[(_, by, sw)]] = _iterate(handler)
    np.testing.assert_allclose(sw.numpy(), [1.0, 3.0, 3.0, 1.0, 3.0])
    handler = DataHandler(
        np.zeros((5, 2)),
        y,
        sample_weight=np.full(5, 0.5),
        batch_size=5,
        class_weight={0: 1.0, 1: 3.0},
    )
    [[(_, _, sw)]] = _iterate(handler)
    np.testing.assert_allclose(sw.numpy(), [0.5, 1.5, 1.5, 0.5, 1.5])


def test_sample_weight_passes_through():
    handler = DataHandler(
        np.zeros((3, 1)), np.zeros(3), sample_weight=np.array([1.0, 2.0, 3.0])
    )
    [[(_, _, sw)]] = _iterate(handler)
    assert sw.numpy().tolist() == [1.0, 2.0, 3.0]


def test_dict_inputs_keep_their_keys():
    x = {"image": np.arange(12.0).reshape(6, 2), "meta": np.arange(6)}
    handler = DataHandler(x, np.arange(6), batch_size=4)
    [batches] = _iterate(handler)
    bx, by = batches[1]
    assert sorted(bx) == ["image", "meta"]
    assert bx["meta"].numpy().tolist() == [4, 5] == by.numpy().tolist()
    np.testing.assert_array_equal(bx["image"].numpy(), [[8, 9], [10, 11]])


def test_list_of_inputs_becomes_tuple():
    handler = DataHandler([np.zeros((4, 2)), np.ones((4, 3))], np.zeros(4))
    [[(bx, _)]] = _iterate(handler)
    assert isinstance(bx, tuple) and [t.shape[1] for t in bx] == [2, 3]


def test_lists_of_scalars():
    handler = DataHandler([1.0, 2.0, 3.0], [0, 1, 0], batch_size=2)
    [batches] = _iterate(handler)
    assert [b[0].numpy().tolist() for b in batches] == [[1.0, 2.0], [3.0]]


def test_infinite_dataset_with_steps_per_epoch_continues_one_iterator():
    dataset = tf.data.Dataset.range(100).batch(2).repeat()
    handler = DataHandler(dataset, steps_per_epoch=3, epochs=2)
    assert handler.inferred_steps == 3
    epochs = _iterate(handler)
    firsts = [[int(b[0]) for b in epoch] for epoch in epochs]
    assert firsts == [[0, 2, 4], [6, 8, 10]]


def test_finite_dataset_restarts_every_epoch():
    dataset = tf.data.Dataset.range(5).batch(2)
    handler = DataHandler(dataset, epochs=2)
    epochs = _iterate(handler)
    assert [[b.numpy().tolist() for b in e] for e in epochs] == [
        [[0, 1], [2, 3], [4]]
    ] * 2


def test_unknown_cardinality_is_learnt_in_the_first_epoch():
    dataset = tf.data.Dataset.range(10).filter(lambda v: v % 2 == 0).batch(2)
    handler = DataHandler(dataset, epochs=2)
    assert handler.inferred_steps is None and handler.should_sync
    epochs = _iterate(handler)
    assert handler.inferred_steps == 3 and not handler.should_sync
    assert [len(e) for e in epochs] == [3, 3]


def test_data_running_out_stops_training_with_a_warning(caplog):
    def batches():
        for i in range(5):
            yield np.full((2, 1), i, dtype="float32")

    handler = DataHandler(batches(), steps_per_epoch=3, epochs=3)
    with caplog.at_level(logging.WARNING, logger="kengine"):
        epochs = _iterate(handler)
    assert [len(e) for e in epochs] == [3, 2]
    assert "Your input ran out of data" in caplog.text
    assert "(in this case, 9 batches)" in caplog.text


def test_generator_epoch_length_is_learnt():
    def batches():
        for i in range(4):
            yield np.full((2, 1), i, dtype="float32"), np.zeros((2,))

    handler = DataHandler(batches(), epochs=1)
    [epoch] = _iterate(handler)
    assert handler.inferred_steps == 4 and len(epoch) == 4


class _Batches(Sequence):
    def __init__(self):
        self.epochs_ended = 0

    def __len__(self):
        return 3

    def __getitem__(self, index):
        return np.full((2, 1), index, dtype="float32"), np.zeros((2,))

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_sequence_is_walked_every_epoch_and_notified():
    sequence = _Batches()
    handler = DataHandler(sequence, epochs=2)
    assert handler.inferred_steps == 3
    epochs = _iterate(handler)
    assert [[int(b[0][0, 0]) for b in e] for e in epochs] == [[0, 1, 2]] * 2
    assert sequence.epochs_ended == 2


def test_initial_epoch_skips_epochs():
    handler = DataHandler(np.zeros((4, 1)), epochs=5, initial_epoch=3, batch_size=2)
    assert [epoch for epoch, _ in handler.enumerate_epochs()] == [3, 4]


def test_steps_per_epoch_minus_one_runs_until_stopped(caplog):
    dataset = tf.data.Dataset.range(3).repeat()
    with caplog.at_level(logging.WARNING, logger="kengine"):
        handler = DataHandler(dataset, steps_per_epoch=-1)
    assert handler.inferred_steps is None and handler.should_sync
    assert "will run indefinitely" in caplog.text
    _, iterator = next(handler.enumerate_epochs())
    steps = handler.steps()
    assert [next(steps) for _ in range(5)] == [0, 1, 2, 3, 4]


def test_steps_per_execution_is_truncated_to_the_epoch():
    spe = tf.Variable(10)
    handler = DataHandler(np.zeros((6, 1)), batch_size=2, steps_per_execution=spe)
    for _, _ in handler.enumerate_epochs():
        assert int(spe.numpy()) == 3
        assert list(handler.steps()) == [0]
        assert handler.step_increment == 2
    assert int(spe.numpy()) == 10


def test_steps_per_execution_needs_known_size():
    dataset = tf.data.Dataset.range(10).filter(lambda v: v > 2)
    with pytest.raises(ValueError, match="Could not infer the size of the data"):
        DataHandler(dataset, steps_per_execution=tf.Variable(2))


def test_resume_at_continues_mid_epoch_on_the_same_data():
    x = np.arange(8, dtype="float32").reshape(8, 1)
    handler = DataHandler(x, batch_size=2, epochs=3)
    handler.resume_at(1, 2)  # as fit does after BackupAndRestore restored
    seen = []
    for epoch, iterator in handler.enumerate_epochs():
        for step in handler.steps():
            batch = tf.nest.flatten(next(iterator))[0]
            seen.append((epoch, step, batch.numpy().ravel().tolist()))
    assert seen[:3] == [(1, 2, [4.0, 5.0]), (1, 3, [6.0, 7.0]), (2, 0, [0.0, 1.0])]
    assert len(seen) == 6


def _per_replica_sizes(value, strategy):
    return [int(t.shape[0]) for t in strategy.experimental_local_results(value)]


def test_dataset_is_distributed_under_a_strategy_scope():
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        handler = DataHandler(
            np.arange(10.0).reshape(10, 1), np.arange(10), batch_size=4
        )
        [batches] = _iterate(handler)
    assert isinstance(handler._dataset, tf.distribute.DistributedDataset)
    x_spec, y_spec = handler.element_spec  # the global batch's spec
    assert x_spec.shape.as_list() == [None, 1] and y_spec.dtype == tf.int64
    # `batch_size` is global: each of the 2 replicas gets half of every batch.
    assert [_per_replica_sizes(bx, strategy) for bx, _ in batches] == [
        [2, 2],
        [2, 2],
        [1, 1],
    ]
    replica_ys = [strategy.experimental_local_results(by) for _, by in batches]
    seen = sorted(int(v) for ys in replica_ys for t in ys for v in t.numpy())
    assert seen == list(range(10))


def test_dataset_is_distributed_with_the_models_strategy():
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])

    class _Model:
        distribute_strategy = strategy
        built = True

    handler = DataHandler(np.zeros((8, 1)), batch_size=8, model=_Model())
    [[(bx,)]] = [[(b,) for b in e] for e in _iterate(handler)]
    assert _per_replica_sizes(bx, strategy) == [4, 4]


def test_distribute_false_keeps_the_plain_dataset():
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        handler = DataHandler(np.zeros((8, 1)), distribute=False)
    assert isinstance(handler._dataset, tf.data.Dataset)


def test_single_batch_iterator():
    strategy = tf.distribute.get_strategy()
    iterator = data_adapter.single_batch_iterator(
        strategy, np.zeros((3, 2)), np.array([0, 1, 1]), class_weight={0: 2.0, 1: 1.0}
    )
    x, y, sw = next(iterator)
    assert x.shape == (3, 2) and sw.numpy().tolist() == [2.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        data_adapter.single_batch_iterator(strategy, np.zeros((3, 2)), np.zeros(2))


def test_get_data_handler_builds_a_data_handler():
    handler = data_adapter.get_data_handler(
        x=np.zeros((5, 1)), batch_size=2, model=None
    )
    assert isinstance(handler, DataHandler) and handler.inferred_steps == 3


def test_select_data_adapter_picks_one_adapter_per_input_type():
    from kengine.engine import data_adapters as adapters

    cases = {
        adapters.TensorLikeDataAdapter: (np.zeros(3), tf.zeros(3)),
        adapters.ListsOfScalarsDataAdapter: ([1, 2], None),
        adapters.CompositeTensorDataAdapter: (tf.ragged.constant([[1], [2, 3]]), None),
        adapters.DatasetAdapter: (tf.data.Dataset.range(2), None),
        adapters.GeneratorDataAdapter: (iter([1]), None),
        adapters.KerasSequenceAdapter: (_Batches(), None),
    }
    for expected, (x, y) in cases.items():
        assert data_adapter.select_data_adapter(x, y) is expected


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"batch_size": 2.5}, TypeError, r"`batch_size` must be an integer.*=2\.5"),
        ({"batch_size": "4"}, TypeError, r"batch_size='4'"),
        ({"batch_size": True}, TypeError, r"batch_size=True"),
        ({"epochs": 2.5}, TypeError, r"`epochs` must be an integer.*epochs=2\.5"),
        ({"initial_epoch": 1.0}, TypeError, r"`initial_epoch` must be an integer"),
        (
            {"initial_epoch": 5, "epochs": 2},
            ValueError,
            r"`initial_epoch` must not exceed `epochs`.*initial_epoch=5, epochs=2",
        ),
    ],
)
def test_sizes_must_be_integers_and_epochs_ordered(kwargs, error, message):
    with pytest.raises(error, match=message):
        DataHandler(np.zeros((10, 2)), **kwargs)


def test_numpy_integer_sizes_and_a_finished_run_are_accepted():
    handler = DataHandler(np.zeros((10, 2)), batch_size=np.int64(4), epochs=np.int32(2))
    assert handler.inferred_steps == 3
    # Resuming a run that already reached `epochs` trains nothing, as in Keras 2.
    assert _iterate(DataHandler(np.zeros((10, 2)), initial_epoch=2, epochs=2)) == []


@pytest.mark.parametrize("x", [None, [], {}, ()])
def test_require_x_names_the_missing_argument(x):
    with pytest.raises(ValueError, match=r"`x` is missing: `Model\.fit\(\)`"):
        data_adapter.require_x(x, "fit")
    data_adapter.require_x(np.zeros((1,)), "fit")


def test_yields_batches():
    assert data_adapter.yields_batches(_dataset())
    assert data_adapter.yields_batches(i for i in range(3))
    assert not data_adapter.yields_batches(np.zeros((2, 2)))
    assert not data_adapter.yields_batches({"a": np.zeros((2, 2))})


@pytest.mark.parametrize(
    "epoch, freq, expected",
    [(0, 1, True), (0, 2, False), (1, 2, True), (2, [1, 3], True), (1, [1, 3], False)],
)
def test_should_validate(epoch, freq, expected):
    assert data_adapter.should_validate(epoch, freq) is expected
