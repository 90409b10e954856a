"""`kengine.utils`: the helpers tf_keras exposes as `keras.utils.*`; re-exports only."""

from kengine.utils.audio_dataset import audio_dataset_from_directory  # noqa: F401
from kengine.utils.data_utils import Sequence, get_file, pad_sequences, validate_file  # noqa: F401
from kengine.utils.image_dataset import image_dataset_from_directory  # noqa: F401
from kengine.utils.image_utils import (  # noqa: F401
    array_to_img,
    img_to_array,
    load_img,
    save_img,
)
from kengine.utils.layer_utils import count_params, print_summary  # noqa: F401
from kengine.utils.np_utils import normalize, to_categorical, to_ordinal  # noqa: F401
from kengine.utils.packing import (  # noqa: F401
    pack_x_y_sample_weight,
    unpack_x_y_sample_weight,
)
from kengine.utils.progbar import Progbar  # noqa: F401
from kengine.utils.serialization import (  # noqa: F401
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)
from kengine.utils.text_dataset import text_dataset_from_directory  # noqa: F401
from kengine.utils.tf_utils import set_random_seed  # noqa: F401
from kengine.utils.timeseries_dataset import timeseries_dataset_from_array  # noqa: F401
from kengine.utils.vis_utils import model_to_dot, plot_model  # noqa: F401
