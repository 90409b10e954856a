"""`keras.applications.resnet50`: ResNet50 and its preprocessing, under Keras 2's name.

Keras 2 exports this module besides `applications.resnet`; it only re-exports
from `resnet.py`.
"""

from kengine.applications.resnet import ResNet50, decode_predictions, preprocess_input

__all__ = ["ResNet50", "preprocess_input", "decode_predictions"]
