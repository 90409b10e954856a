"""Random image augmentation: flips, crops, contrast, brightness, height, width.

Mirrors Keras 2's `layers/preprocessing/image_preprocessing.py` (`RandomFlip`,
`RandomCrop`, `RandomContrast`, `RandomBrightness`, `RandomHeight`,
`RandomWidth`) and `engine/base_layer.py`'s `BaseRandomLayer` with
`backend.RandomGenerator` (the `rng_type="stateful"` branch, which these
layers always use). The geometric transforms live in `image_transforms.py`.

Randomness: each layer owns a `tf.random.Generator` seeded from `seed` (a
random seed when None), created when the layer is built. Its draws feed the
random ops directly or, for TensorFlow's `stateless_random_*` image ops, as
per-call seeds (`make_seeds`). With the same seed a layer repeats the same
sequence of augmentations, the one tf_keras produces; successive calls differ
because the generator's state advances (it is part of TF checkpoints, so a
restored model continues the sequence).

Training: `call(inputs, training=True)` augments, as tf_keras does when a
layer is called directly; inside a model, `fit` passes `training=True` and
`predict`/`evaluate` pass `training=False`, where these layers return their
input unchanged (converted to the layer's dtype).
"""

import random

import tensorflow as tf

from kengine.engine.base_layer import Layer
from kengine.layers.preprocessing.image_preprocessing import (
    H_AXIS,
    W_AXIS,
    convert_inputs,
    get_interpolation,
    smart_resize,
)

__all__ = [
    "RandomFlip",
    "RandomCrop",
    "RandomContrast",
    "RandomBrightness",
    "RandomHeight",
    "RandomWidth",
]

HORIZONTAL = "horizontal"
VERTICAL = "vertical"
HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical"


class BaseRandomLayer(Layer):
    """A layer that draws random numbers from its own seeded generator.

    Args:
        seed: the generator's seed; None picks one at random.
        **kwargs: base layer arguments; `rng_type` as tf_keras writes it into
            configs (always `"stateful"` for the image layers).
    """

    def __init__(self, seed=None, **kwargs):
        kwargs.pop("rng_type", None)  # tf_keras forces "stateful" for these layers
        super().__init__(**kwargs)
        self.seed = seed
        self._generator = None

    def build(self, input_shape) -> None:
        super().build(input_shape)
        self._random_generator()

    def _random_generator(self) -> tf.random.Generator:
        if self._generator is None:
            seed = self.seed if self.seed is not None else random.randint(1, int(1e9))
            with tf.init_scope():
                self._generator = tf.random.Generator.from_seed(
                    seed, alg=tf.random.Algorithm.AUTO_SELECT
                )
        return self._generator

    def _uniform(self, shape, minval=0.0, maxval=None, dtype=tf.float32):
        return self._random_generator().uniform(
            shape=shape, minval=minval, maxval=maxval, dtype=dtype
        )

    def _stateless_seed(self):
        """A fresh seed for a `tf.image.stateless_random_*` op."""
        return self._random_generator().make_seeds()[:, 0]

    def _if_training(self, training, augment, inputs):
        """`augment(inputs)` in training, `inputs` otherwise (None: inference)."""
        if training is None or isinstance(training, bool | int):
            return augment(inputs) if training else inputs
        return tf.cond(
            tf.cast(training, tf.bool), lambda: augment(inputs), lambda: inputs
        )

    def compute_output_shape(self, input_shape):
        return tf.TensorShape(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "rng_type": "stateful"}


def factor_bounds(factor) -> tuple:
    """`(lower, upper)` of a factor given as a pair or as `x` meaning `(-x, x)`."""
    if isinstance(factor, tuple | list):
        return factor[0], factor[1]
    return -factor, factor


class RandomFlip(BaseRandomLayer):
    """Randomly flips images horizontally and/or vertically in training.

    Args:
        mode: `"horizontal"`, `"vertical"` or `"horizontal_and_vertical"`.
        seed: the seed of the layer's generator.
        **kwargs: base layer arguments.

    Raises:
        ValueError: for an unknown `mode`.
    """

    def __init__(self, mode=HORIZONTAL_AND_VERTICAL, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if mode not in (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL):
            raise ValueError(
                f"RandomFlip layer {self.name} received an unknown mode argument "
                f"{mode}. Expected one of {(HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL)}. "
                f"Received: mode={mode!r}"
            )
        self.mode = mode
        self.horizontal = mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL)
        self.vertical = mode in (VERTICAL, HORIZONTAL_AND_VERTICAL)

    def call(self, inputs, training=True):
        inputs = convert_inputs(inputs, self.dtype)

        def flip(images):
            flipped = images
            if self.horizontal:
                flipped = tf.image.stateless_random_flip_left_right(
                    flipped, seed=self._stateless_seed()
                )
            if self.vertical:
                flipped = tf.image.stateless_random_flip_up_down(
                    flipped, seed=self._stateless_seed()
                )
            flipped.set_shape(images.shape)
            return flipped

        return self._if_training(training, flip, inputs)

    def get_config(self) -> dict:
        return {**super().get_config(), "mode": self.mode, "seed": self.seed}


class RandomCrop(BaseRandomLayer):
    """Crops a random `(height, width)` window in training, the center otherwise.

    At inference, and for images smaller than the window, the image is
    resized with `smart_resize` (center crop to the aspect ratio, then resize).

    Args:
        height: the output height.
        width: the output width.
        seed: the seed of the layer's generator.
        **kwargs: base layer arguments.
    """

    def __init__(self, height, width, seed=None, **kwargs):
        super().__init__(seed=seed, autocast=False, **kwargs)
        self.height = height
        self.width = width

    def call(self, inputs, training=True):
        inputs = convert_inputs(inputs, dtype=self.dtype)
        shape = tf.shape(inputs)
        h_diff = shape[H_AXIS] - self.height
        w_diff = shape[W_AXIS] - self.width

        def random_crop():
            starts = self._uniform([2], 0, shape.dtype.max, shape.dtype)
            top = starts[0] % (h_diff + 1)
            left = starts[1] % (w_diff + 1)
            return tf.image.crop_to_bounding_box(
                inputs, top, left, self.height, self.width
            )

        def resize():
            outputs = smart_resize(inputs, [self.height, self.width])
            return tf.cast(outputs, self.dtype)

        training = False if training is None else training
        return tf.cond(
            tf.reduce_all((training, h_diff >= 0, w_diff >= 0)), random_crop, resize
        )

    def compute_output_shape(self, input_shape):
        shape = tf.TensorShape(input_shape).as_list()
        shape[H_AXIS], shape[W_AXIS] = self.height, self.width
        return tf.TensorShape(shape)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "height": self.height,
            "width": self.width,
            "seed": self.seed,
        }


class RandomContrast(BaseRandomLayer):
    """Scales each image's contrast by a random factor in training.

    Each channel becomes `(x - mean) * f + mean` with `f` drawn from
    `[1 - lower, 1 + upper]`, clipped to `[0, 255]`.

    Args:
        factor: `x` for `[1 - x, 1 + x]`, or a pair `(lower, upper)`; in [0, 1].
        seed: the seed of the layer's generator.
        **kwargs: base layer arguments.

    Raises:
        ValueError: for a negative factor or one above 1.
    """

    def __init__(self, factor, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = factor
        if isinstance(factor, tuple | list):
            self.lower, self.upper = factor[0], factor[1]
        else:
            self.lower = self.upper = factor
        if self.lower < 0.0 or self.upper < 0.0 or self.lower > 1.0:
            raise ValueError(
                "`factor` argument cannot have negative values or values greater "
                f"than 1. Received: factor={factor}"
            )

    def call(self, inputs, training=True):
        inputs = convert_inputs(inputs, self.dtype)

        def contrast(images):
            outputs = tf.image.stateless_random_contrast(
                images, 1.0 - self.lower, 1.0 + self.upper, seed=self._stateless_seed()
            )
            outputs = tf.clip_by_value(outputs, 0, 255)
            outputs.set_shape(images.shape)
            return outputs

        return self._if_training(training, contrast, inputs)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "seed": self.seed}


class RandomBrightness(BaseRandomLayer):
    """Adds a random brightness delta to each image in training.

    The delta is `f * (value_range[1] - value_range[0])` with `f` drawn from
    the factor's range; results are clipped to `value_range`.

    Args:
        factor: `x` for `[-x, x]`, or a pair; values in [-1, 1].
        value_range: the `(min, max)` of the pixel values (default 0..255).
        seed: the seed of the layer's generator.
        **kwargs: base layer arguments.

    Raises:
        ValueError: for a factor outside [-1, 1] or not a number or pair, or
            a `value_range` that is not a pair.
    """

    _FACTOR_ERROR = (
        "The `factor` argument should be a number (or a list of two numbers) in "
        "the range [-1.0, 1.0]. "
    )

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self._factor = self._checked_factor(factor)
        if not isinstance(value_range, tuple | list) or len(value_range) != 2:
            raise ValueError(
                "The `value_range` argument should be a list of two numbers. "
                f"Received: value_range={value_range}"
            )
        self._value_range = sorted(value_range)

    def _checked_factor(self, factor) -> list:
        if isinstance(factor, tuple | list):
            bounds = list(factor)
            if len(bounds) != 2:
                raise ValueError(self._FACTOR_ERROR + f"Received: factor={factor}")
        elif isinstance(factor, int | float):
            bounds = [-abs(factor), abs(factor)]
        else:
            raise ValueError(self._FACTOR_ERROR + f"Received: factor={factor}")
        for bound in bounds:
            if not -1.0 <= bound <= 1.0:
                raise ValueError(self._FACTOR_ERROR + f"Received: factor={factor}")
        return sorted(bounds)

    def call(self, inputs, training=True):
        inputs = convert_inputs(inputs, dtype=self.dtype)
        return self._if_training(training, self._adjust_brightness, inputs)

    def _adjust_brightness(self, images):
        rank = images.shape.rank
        if rank == 3:
            delta_shape = (1, 1, 1)
        elif rank == 4:
            delta_shape = [tf.shape(images)[0], 1, 1, 1]
        else:
            raise ValueError(
                "Expected the input image to be rank 3 or 4. Received: "
                f"inputs.shape={images.shape}"
            )
        low, high = self._value_range
        delta = self._uniform(delta_shape, self._factor[0], self._factor[1])
        images += tf.cast(delta * (high - low), images.dtype)
        return tf.clip_by_value(images, low, high)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "factor": self._factor,
            "value_range": self._value_range,
            "seed": self.seed,
        }


class _RandomResize(BaseRandomLayer):
    """Resizes one spatial axis of a batch by a random factor in training."""

    _axis = H_AXIS

    def __init__(self, factor, interpolation="bilinear", seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = factor
        self._lower, self._upper = factor_bounds(factor)
        if self._upper < self._lower:
            raise ValueError(
                "`factor` argument cannot have an upper bound less than the lower "
                f"bound. Received: factor={factor}"
            )
        if self._lower < -1.0 or self._upper < -1.0:
            raise ValueError(
                f"`factor` argument must have values larger than -1. Received: factor={factor}"
            )
        self.interpolation = interpolation
        self._interpolation_method = get_interpolation(interpolation)

    def call(self, inputs, training=True):
        inputs = convert_inputs(inputs)

        def resize(images):
            shape = tf.shape(images)
            scale = self._uniform([], 1.0 + self._lower, 1.0 + self._upper)
            size = tf.cast(scale * tf.cast(shape[self._axis], tf.float32), tf.int32)
            if self._axis == H_AXIS:
                target = tf.stack([size, shape[W_AXIS]])
            else:
                target = tf.stack([shape[H_AXIS], size])
            outputs = tf.image.resize(
                images, size=target, method=self._interpolation_method
            )
            outputs = tf.cast(outputs, self.dtype)
            outputs.set_shape(self.compute_output_shape(images.shape))
            return outputs

        return self._if_training(training, resize, inputs)

    def compute_output_shape(self, input_shape):
        shape = tf.TensorShape(input_shape).as_list()
        shape[self._axis] = None
        return tf.TensorShape(shape)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "factor": self.factor,
            "interpolation": self.interpolation,
            "seed": self.seed,
        }


class RandomHeight(_RandomResize):
    """Resizes images to a random height in training (width unchanged).

    The height is scaled by a factor drawn from `[1 + lower, 1 + upper]`,
    once per call (the whole batch alike).

    Args:
        factor: `x` for `(-x, x)`, or a pair `(lower, upper)`; above -1.
        interpolation: the resize method (see `Resizing`).
        seed: the seed of the layer's generator.
        **kwargs: base layer arguments.

    Raises:
        ValueError: for bounds out of order or not above -1.
    """

    _axis = H_AXIS


class RandomWidth(_RandomResize):
    """Resizes images to a random width in training (height unchanged).

    The width is scaled by a factor drawn from `[1 + lower, 1 + upper]`,
    once per call (the whole batch alike).

    Args:
        factor: `x` for `(-x, x)`, or a pair `(lower, upper)`; above -1.
        interpolation: the resize method (see `Resizing`).
        seed: the seed of the layer's generator.
        **kwargs: base layer arguments.

    Raises:
        ValueError: for bounds out of order or not above -1.
    """

    _axis = W_AXIS
