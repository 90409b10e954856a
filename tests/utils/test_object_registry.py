"""Tests for kengine/utils/object_registry.py: built-ins found by kind and name."""

import pytest

import kengine
from kengine.engine.functional import Functional
from kengine.engine.sequential import Sequential
from kengine.engine.training import Model
from kengine.utils import object_registry


def test_register_and_look_up_by_kind_and_name():
    class Probe:
        pass

    assert object_registry.register_builtin("test-kind", Probe) is Probe
    object_registry.register_builtin("test-kind", Probe, "probe_alias")
    table = object_registry.builtin_objects("test-kind")
    assert table == {"Probe": Probe, "probe_alias": Probe}
    assert object_registry.builtin_object("test-kind", "probe_alias") is Probe


def test_registering_the_same_object_twice_is_harmless():
    def probe_fn():
        pass

    object_registry.register_builtins("test-kind-2", {"f": probe_fn})
    object_registry.register_builtins("test-kind-2", {"f": probe_fn})
    assert object_registry.builtin_objects("test-kind-2") == {"f": probe_fn}


def test_a_name_taken_by_another_object_is_refused():
    class First:
        pass

    class Second:
        pass

    object_registry.register_builtin("test-kind-3", First, "thing")
    with pytest.raises(ValueError, match="'thing'.*already registered"):
        object_registry.register_builtin("test-kind-3", Second, "thing")


def test_the_table_is_a_copy():
    table = object_registry.builtin_objects("layer")
    table["Dense"] = None
    assert object_registry.builtin_object("layer", "Dense") is kengine.layers.Dense


def test_unknown_kind_or_name():
    assert object_registry.builtin_objects("no-such-kind") == {}
    with pytest.raises(KeyError, match="No built-in layer named 'Nope'"):
        object_registry.builtin_object("layer", "Nope")


@pytest.mark.parametrize(
    "kind, name, expected",
    [
        ("layer", "Model", Model),
        ("layer", "Functional", Functional),
        ("layer", "Sequential", Sequential),
        ("layer", "Dense", kengine.layers.Dense),
        ("layer", "Convolution2D", kengine.layers.Conv2D),
        ("activation", "relu", kengine.activations.relu),
        ("activation", "ReLU", kengine.layers.ReLU),
        ("metric", "Mean", kengine.metrics.Mean),
        ("metric", "acc", kengine.metrics.accuracy),
        ("loss", "mse", kengine.losses.mean_squared_error),
        ("initializer", "uniform", kengine.initializers.RandomUniform),
        ("regularizer", "l2", kengine.regularizers.L2),
        ("constraint", "max_norm", kengine.constraints.MaxNorm),
        ("optimizer", "adam", kengine.optimizers.Adam),
        ("legacy optimizer", "adam", kengine.optimizers.legacy.Adam),
    ],
)
def test_kengine_registers_its_built_ins_where_they_are_defined(kind, name, expected):
    assert object_registry.builtin_object(kind, name) is expected
