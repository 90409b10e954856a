"""The shared constructor steps: argument checks, inputs, weights from the cache."""

import pytest

from kengine import layers
from kengine.applications import _assembly, mobilenet, resnet, vgg19

SMALL_MOBILENET = dict(input_shape=(32, 32, 3), alpha=0.25, include_top=False)


def test_unknown_weights_value_is_refused():
    with pytest.raises(ValueError, match="Received: weights=nowhere.h5"):
        _assembly.check_weights_argument("nowhere.h5", True, 1000)


def test_imagenet_top_needs_1000_classes():
    with pytest.raises(ValueError, match="Received `classes=10`"):
        _assembly.check_weights_argument("imagenet", True, 10)
    _assembly.check_weights_argument("imagenet", False, 10)


def test_input_tensor_sources_become_the_model_inputs():
    images = layers.Input((32, 32, 3))
    scaled = layers.Rescaling(1.0 / 255)(images)
    model = mobilenet.MobileNet(weights=None, input_tensor=scaled, **SMALL_MOBILENET)
    assert model.inputs[0] is images
    assert model.layers[1].name == "rescaling"
    assert model.output_shape == (None, 1, 1, 256)


def test_get_source_inputs_keeps_first_seen_order_without_repeats():
    a, b = layers.Input((2,)), layers.Input((2,))
    total = layers.Add()([layers.Add()([a, b]), a])
    assert _assembly.get_source_inputs(total) == [a, b]


def test_pooling_top_names():
    x = layers.Input((4, 4, 3))
    assert _assembly.pooling_top(x, None) is x
    avg = _assembly.pooling_top(x, "avg", names=("avg_pool", "max_pool"))
    assert avg._keras_history.layer.name == "avg_pool"
    assert _assembly.pooling_top(x, "max").shape.as_list() == [None, 3]


def test_imagenet_offline_without_a_cached_file_names_file_and_folder(offline_cache):
    with pytest.raises(Exception, match="URL fetch failure") as info:
        mobilenet.MobileNet(weights="imagenet", **SMALL_MOBILENET)
    message = str(info.value)
    assert str(offline_cache / "mobilenet_2_5_224_tf_no_top.h5") in message
    assert mobilenet.BASE_WEIGHT_PATH + "mobilenet_2_5_224_tf_no_top.h5" in message


def test_imagenet_cached_file_with_a_wrong_hash_is_fetched_again(offline_cache):
    cached = offline_cache / vgg19.WEIGHTS_NO_TOP.name
    cached.write_bytes(b"not the published file")
    with pytest.raises(Exception, match="URL fetch failure") as info:
        vgg19.VGG19(weights="imagenet", include_top=False, input_shape=(32, 32, 3))
    assert vgg19.WEIGHTS_NO_TOP.origin in str(info.value)


@pytest.mark.parametrize("constructor", [mobilenet.MobileNet, resnet.ResNet50])
def test_unknown_keyword_arguments_are_refused(constructor):
    with pytest.raises(ValueError, match="Unknown argument"):
        constructor(weights=None, layers=layers)
