"""kengine.losses.registry: get / serialize / deserialize as tf_keras writes them."""

import numpy as np
import pytest

from kengine import losses
from kengine.utils.serialization import custom_object_scope
from tests.losses import _helpers as h


def test_serialize_matches_tf_keras_for_every_class():
    serialized = h.CONFIGS["serialized"]
    assert set(serialized) == set(h.CONFIGS["classes"])
    for name, want in serialized.items():
        assert losses.serialize(getattr(losses, name)()) == want, name


def test_serialize_format_example():
    assert losses.serialize(losses.MeanSquaredError()) == {
        "module": "keras.losses",
        "class_name": "MeanSquaredError",
        "config": {
            "reduction": "auto",
            "name": "mean_squared_error",
            "fn": "mean_squared_error",
        },
        "registered_name": None,
    }


def test_deserialize_round_trip_keeps_options():
    for loss in (
        losses.Huber(delta=2.0, reduction="sum"),
        losses.BinaryFocalCrossentropy(apply_class_balancing=True, gamma=3.0),
        losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0),
    ):
        clone = losses.deserialize(losses.serialize(loss))
        assert type(clone) is type(loss)
        assert clone.get_config() == loss.get_config()
    assert losses.get(losses.serialize(losses.Poisson())).name == "poisson"


def test_get_by_name_function_or_class():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("categorical_crossentropy") is losses.categorical_crossentropy
    assert losses.get("kld") is losses.kl_divergence
    cce = losses.get("CategoricalCrossentropy")
    assert isinstance(cce, losses.CategoricalCrossentropy)
    assert cce.get_config()["from_logits"] is False
    loss = losses.MeanAbsoluteError()
    assert losses.get(loss) is loss
    assert losses.get(None) is None
    config = {
        "class_name": "MeanSquaredError",
        "config": {"reduction": "sum", "name": "x"},
    }
    assert losses.get(config).get_config() == {
        "reduction": "sum",
        "name": "x",
        "fn": "mean_squared_error",
    }


def test_unknown_names_and_identifiers_raise():
    with pytest.raises(ValueError, match="Unknown loss function: 'bogus'"):
        losses.get("bogus")
    with pytest.raises(
        ValueError, match="Could not interpret loss function identifier: 3"
    ):
        losses.get(3)


def test_custom_objects_and_non_loss_warning():
    def my_loss(y_true, y_pred):
        return np.float32(0.0) * y_pred

    with custom_object_scope({"my_loss": my_loss}):
        assert losses.get("my_loss") is my_loss
    assert losses.deserialize("my_loss", custom_objects={"my_loss": my_loss}) is my_loss
    with pytest.warns(UserWarning, match="should only be used for objects of type"):
        assert losses.serialize(losses.mse) == "mean_squared_error"


def test_is_categorical_crossentropy():
    assert losses.is_categorical_crossentropy(losses.CategoricalCrossentropy())
    assert losses.is_categorical_crossentropy("categorical_crossentropy")
    assert losses.is_categorical_crossentropy(losses.categorical_crossentropy)
    assert not losses.is_categorical_crossentropy(losses.BinaryCrossentropy())
