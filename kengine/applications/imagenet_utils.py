"""ImageNet input preprocessing, prediction decoding and input-shape checks.

Every application family preprocesses images in one of three ways:
`"caffe"` (RGB to BGR, then subtract the ImageNet channel means),
`"tf"` (scale to [-1, 1]) or `"torch"` (scale to [0, 1], then standardise with
the ImageNet channel means and deviations). `decode_predictions` maps a
`(samples, 1000)` array to `(wordnet_id, label, score)` tuples with the class
index file, fetched once through `utils.get_file` into `~/.keras/models/`.
`obtain_input_shape` checks a user's `input_shape` against a family's default and
minimum sizes exactly as Keras 2 does, so the same calls fail with the same words.

Mirrors Keras 2's `applications/imagenet_utils.py` (`preprocess_input`,
`decode_predictions`, `obtain_input_shape`, `correct_pad`, `validate_activation`).
"""

import json
import warnings

import numpy as np
import tensorflow as tf

from kengine import activations, backend
from kengine.utils.data_utils import get_file

__all__ = ["preprocess_input", "decode_predictions"]

CLASS_INDEX = None
CLASS_INDEX_PATH = "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
CLASS_INDEX_FILE = "imagenet_class_index.json"
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"

_MODES = ("caffe", "tf", "torch")
_CAFFE_MEAN = (103.939, 116.779, 123.68)  # BGR order, on the 0-255 scale.
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)


def preprocess_input(x, data_format: str | None = None, mode: str = "caffe"):
    """Preprocesses a batch of images (values in [0, 255]) for an ImageNet model.

    A float NumPy array is modified in place where possible (as in Keras 2);
    pass `np.copy(x)` to keep the original.

    Args:
        x: A NumPy array or a tensor, 3D or 4D, with 3 color channels.
        data_format: `"channels_last"` or `"channels_first"`; `None` takes
            `backend.image_data_format()`.
        mode: `"caffe"`, `"tf"` or `"torch"`.

    Returns:
        The preprocessed array or tensor (float32 for integer NumPy input).

    Raises:
        ValueError: for an unknown `mode` or `data_format`.

    >>> preprocess_input(np.array([[[0.0, 127.5, 255.0]]]), mode="tf").tolist()
    [[[-1.0, 0.0, 1.0]]]
    """
    if mode not in _MODES:
        raise ValueError(
            f"Expected mode to be one of `caffe`, `tf` or `torch`. Received: mode={mode}"
        )
    if data_format is None:
        data_format = backend.image_data_format()
    elif data_format not in {"channels_first", "channels_last"}:
        raise ValueError(
            "Expected data_format to be one of `channels_first` or "
            f"`channels_last`. Received: data_format={data_format}"
        )
    if isinstance(x, np.ndarray):
        return _preprocess_numpy(x, data_format, mode)
    return _preprocess_tensor(x, data_format, mode)


def _channel_axis(ndim: int, data_format: str) -> int:
    if data_format == "channels_last":
        return ndim - 1
    return 0 if ndim == 3 else 1


def _per_channel(values, ndim: int, data_format: str) -> np.ndarray:
    """`values` shaped to broadcast along the channel axis of a rank-`ndim` batch."""
    shape = [1] * ndim
    shape[_channel_axis(ndim, data_format)] = len(values)
    # Leading axes of size one are dropped so a 3D image stays 3D.
    first = _channel_axis(ndim, data_format)
    return np.reshape(np.asarray(values), shape[first:])


def _preprocess_numpy(x: np.ndarray, data_format: str, mode: str) -> np.ndarray:
    if not issubclass(x.dtype.type, np.floating):
        x = x.astype(backend.floatx(), copy=False)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    if mode == "torch":
        x /= 255.0
        x -= _per_channel(_TORCH_MEAN, x.ndim, data_format).astype(x.dtype)
        x /= _per_channel(_TORCH_STD, x.ndim, data_format).astype(x.dtype)
        return x
    # caffe: RGB -> BGR is a view (no copy), as in Keras 2; the mean is then
    # subtracted in place through it.
    axis = _channel_axis(x.ndim, data_format)
    x = np.flip(x, axis=axis)
    x -= _per_channel(_CAFFE_MEAN, x.ndim, data_format).astype(x.dtype)
    return x


def _preprocess_tensor(x, data_format: str, mode: str):
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    ndim = len(x.shape)
    if mode == "torch":
        x /= 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        x = tf.reverse(x, axis=[_channel_axis(ndim, data_format)])
        mean, std = _CAFFE_MEAN, None
    x = x - tf.constant(_per_channel(mean, ndim, data_format), dtype=x.dtype)
    if std is not None:
        x = x / tf.constant(_per_channel(std, ndim, data_format), dtype=x.dtype)
    return x


def _class_index(cache_dir: str | None = None) -> dict:
    """The ImageNet class index, read once from the cache (downloaded if missing)."""
    global CLASS_INDEX
    if CLASS_INDEX is None:
        fpath = get_file(
            CLASS_INDEX_FILE,
            CLASS_INDEX_PATH,
            cache_subdir="models",
            file_hash=CLASS_INDEX_HASH,
            cache_dir=cache_dir,
        )
        with open(fpath) as f:
            CLASS_INDEX = json.load(f)
    return CLASS_INDEX


def decode_predictions(preds, top: int = 5) -> list:
    """Decodes a batch of ImageNet predictions into the top classes of each row.

    Args:
        preds: NumPy array of shape `(samples, 1000)`.
        top: How many classes to return per row.

    Returns:
        One list per row of `(class_name, class_description, score)` tuples,
        highest score first.

    Raises:
        ValueError: when `preds` is not of shape `(samples, 1000)`.
    """
    if len(preds.shape) != 2 or preds.shape[1] != 1000:
        raise ValueError(
            "`decode_predictions` expects a batch of predictions (i.e. a 2D array "
            f"of shape (samples, 1000)). Found array with shape: {preds.shape}"
        )
    index = _class_index()
    results = []
    for pred in preds:
        best = pred.argsort()[-top:][::-1]
        row = [tuple(index[str(i)]) + (pred[i],) for i in best]
        row.sort(key=lambda item: item[2], reverse=True)
        results.append(row)
    return results


def _default_shape(input_shape, default_size: int, data_format: str, weights) -> tuple:
    """The family's default input shape, keeping a user's channel count."""
    channels_first = data_format == "channels_first"
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if channels_first else input_shape[-1]
        if channels not in {1, 3}:
            warnings.warn(
                "This model usually expects 1 or 3 input channels. However, it "
                f"was passed an input_shape with {channels} input channels.",
                stacklevel=3,
            )
    else:
        channels = 3
    if channels_first:
        return (channels, default_size, default_size)
    return (default_size, default_size, channels)


def _check_user_shape(input_shape, min_size: int, data_format: str, weights) -> None:
    if len(input_shape) != 3:
        raise ValueError("`input_shape` must be a tuple of three integers.")
    if data_format == "channels_first":
        channels, spatial = input_shape[0], input_shape[1:]
    else:
        channels, spatial = input_shape[-1], input_shape[:2]
    if channels != 3 and weights == "imagenet":
        raise ValueError(
            f"The input must have 3 channels; Received `input_shape={input_shape}`"
        )
    if any(d is not None and d < min_size for d in spatial):
        raise ValueError(
            f"Input size must be at least {min_size}x{min_size}; Received: "
            f"input_shape={input_shape}"
        )


def obtain_input_shape(
    input_shape,
    default_size: int,
    min_size: int,
    data_format: str,
    require_flatten: bool,
    weights=None,
) -> tuple:
    """Computes or checks the input shape of an application model.

    Args:
        input_shape: `None` (the family default) or the user's shape.
        default_size: The family's default image height and width.
        min_size: The smallest height and width the family accepts.
        data_format: `"channels_last"` or `"channels_first"`.
        require_flatten: Whether the classifier top is attached (then the
            shape must be static, and the default with ImageNet weights).
        weights: `None`, `"imagenet"` or a path; ImageNet weights need 3
            channels.

    Returns:
        The input shape, a tuple of three entries (`None` for free sizes).

    Raises:
        ValueError: for a shape of the wrong rank, channel count or size.
    """
    default_shape = _default_shape(input_shape, default_size, data_format, weights)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and input_shape != default_shape:
            raise ValueError(
                "When setting `include_top=True` and loading `imagenet` weights, "
                f"`input_shape` should be {default_shape}.  Received: "
                f"input_shape={input_shape}"
            )
        return default_shape
    if input_shape:
        _check_user_shape(input_shape, min_size, data_format, weights)
    elif require_flatten:
        input_shape = default_shape
    elif data_format == "channels_first":
        input_shape = (3, None, None)
    else:
        input_shape = (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError(
            "If `include_top` is True, you should specify a static `input_shape`. "
            f"Received: input_shape={input_shape}"
        )
    return input_shape


def correct_pad(inputs, kernel_size) -> tuple:
    """The zero padding that makes a strided 'valid' convolution act like 'same'.

    Args:
        inputs: A 4D Keras tensor.
        kernel_size: An integer or a pair of integers.

    Returns:
        `((top, bottom), (left, right))` for `ZeroPadding2D`.
    """
    first = 2 if backend.image_data_format() == "channels_first" else 1
    size = backend.int_shape(inputs)[first : first + 2]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    # An even size pads one less on the leading side (TF's 'same' puts the
    # extra pixel at the end).
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    half = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((half[0] - adjust[0], half[0]), (half[1] - adjust[1], half[1]))


def validate_activation(classifier_activation, weights) -> None:
    """Refuses a classifier activation pretrained weights were not trained with.

    Args:
        classifier_activation: Name or callable of the top layer's activation.
        weights: `None`, `"imagenet"` or a path.

    Raises:
        ValueError: when weights are loaded and the activation is neither
            `None` nor `"softmax"`.
    """
    if weights is None:
        return
    activation = activations.get(classifier_activation)
    if activation not in {activations.get("softmax"), activations.get(None)}:
        raise ValueError(
            "Only `None` and `softmax` activations are allowed for the "
            "`classifier_activation` argument when using pretrained weights, with "
            f"`include_top=True`; Received: classifier_activation={activation}"
        )
