"""`keras.saving`: whole-model files, and the serialization names Keras 2 shows here.

The file formats live one per module (`saving_api` picks one from the path); the
serialization registry is a foundation every layer uses, so it sits low, in
`kengine/utils/serialization.py`, and is re-exported here.
"""

from kengine.saving.saving_api import load_model, save_model
from kengine.utils.serialization import (
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)
