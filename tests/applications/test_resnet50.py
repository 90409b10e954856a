"""`applications.resnet50`, Keras 2's alias module (`kengine/applications/resnet50.py`)."""

from kengine.applications import resnet, resnet50


def test_resnet50_module_re_exports_resnet():
    assert resnet50.ResNet50 is resnet.ResNet50
    assert resnet50.preprocess_input is resnet.preprocess_input
    assert resnet50.decode_predictions is resnet.decode_predictions
    assert resnet50.__all__ == ["ResNet50", "preprocess_input", "decode_predictions"]
