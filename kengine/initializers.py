"""Weight initializers: objects called as `init(shape, dtype)` to make starting values.

Mirrors Keras 2's `initializers/initializers.py` (the TF2 classes) and
`initializers/__init__.py` (`get`, `serialize`, `deserialize` and the snake_case
aliases such as `"glorot_uniform"`, `"uniform"`, `"normal"`, `"zeros"`).

Random initializers draw with TF's *stateless* random ops from a seed fixed when
the initializer is made: the given `seed`, or one taken from Python's `random`
module (which tests seed). Calling the same instance twice therefore returns the
same values, exactly as in Keras 2, which also warns when an unseeded instance is
reused because two layers sharing it would start out identical. Numbers are not
bit-for-bit Keras 2's (its seeds come from elsewhere); distributions, scales and
configs are.

>>> GlorotUniform(seed=1)((2, 3)).shape
TensorShape([2, 3])
>>> serialize(get("uniform"))["config"]
{'minval': -0.05, 'maxval': 0.05, 'seed': None}
"""

import math
import random
import re
import warnings

import tensorflow as tf

from kengine import backend
from kengine.utils import object_registry, serialization

__all__ = [
    "Initializer",
    "Zeros",
    "Ones",
    "Constant",
    "RandomUniform",
    "RandomNormal",
    "TruncatedNormal",
    "VarianceScaling",
    "Orthogonal",
    "Identity",
    "GlorotUniform",
    "GlorotNormal",
    "LecunNormal",
    "LecunUniform",
    "HeNormal",
    "HeUniform",
    "zeros",
    "ones",
    "constant",
    "random_uniform",
    "random_normal",
    "truncated_normal",
    "variance_scaling",
    "orthogonal",
    "identity",
    "glorot_uniform",
    "glorot_normal",
    "lecun_normal",
    "lecun_uniform",
    "he_normal",
    "he_uniform",
    "serialize",
    "deserialize",
    "get",
]

# Keyword arguments Keras 2 passes for partitioned variables.
_PARTITION_SHAPE = "partition_shape"
_PARTITION_OFFSET = "partition_offset"
# Std of a unit normal truncated to [-2, 2]: rescales truncated draws to `stddev`.
_TRUNCATED_STDDEV = 0.87962566103423978


def _dtype(dtype, check: str | None = None) -> tf.DType:
    """Resolves `dtype` (None -> floatx) and checks it is float (or numeric)."""
    dtype = tf.as_dtype(dtype or backend.floatx())
    if check == "float" and not dtype.is_floating:
        raise ValueError(f"Expected floating point type, got {dtype}.")
    if check == "numeric" and not (dtype.is_floating or dtype.is_integer):
        raise ValueError(f"Expected float or integer dtype, got {dtype}.")
    return dtype


def _shape_from_kwargs(name: str, shape, kwargs: dict, partitions: bool = True):
    """Validates initializer kwargs; returns the shape to fill and a seed nonce."""
    unknown = [k for k in kwargs if k not in (_PARTITION_SHAPE, _PARTITION_OFFSET)]
    if unknown:
        raise TypeError(
            f"Unknown keyword arguments: {unknown}. Allowed keyword arguments: "
            f"{[_PARTITION_SHAPE, _PARTITION_OFFSET]}."
        )
    if kwargs and not partitions:
        raise ValueError(
            f"{name} initializer doesn't support partition-related arguments."
        )
    offset = kwargs.get(_PARTITION_OFFSET)
    # Each partition folds its offset into the seed so partitions differ.
    nonce = hash(tuple(offset)) if offset else None
    return kwargs.get(_PARTITION_SHAPE, shape), nonce


def compute_fans(shape) -> tuple[int, int]:
    """Returns `(fan_in, fan_out)` of a weight shape (dense or convolution kernel).

    >>> compute_fans((3, 3, 4, 8))
    (36, 72)
    """
    shape = tuple(shape)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive_field = math.prod(shape[:-2]) if len(shape) > 2 else 1
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


class Initializer:
    """Base class: subclasses implement `__call__(shape, dtype=None, **kwargs)`."""

    def __call__(self, shape, dtype=None, **kwargs):
        """Returns a tensor of `shape` and `dtype` holding the initial values."""
        raise NotImplementedError(
            "Initializer subclasses must implement the `__call__()` method."
        )

    def get_config(self) -> dict:
        """Returns the constructor arguments as a JSON-compatible dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """Rebuilds the initializer from `get_config()` output."""
        config = dict(config)
        config.pop("dtype", None)  # Written by some Keras 1/2 versions; ignored.
        return cls(**config)


class _RandomInitializer(Initializer):
    """Holds the seed and the stateless draws shared by the random initializers."""

    def __init__(self, seed=None):
        self.seed = seed
        self._seed = seed if seed is not None else random.randint(1, int(1e9))
        self._used = False

    def _stateless_seed(self, nonce):
        seed = tf.constant([self._seed, 0], dtype=tf.int64)
        if nonce is not None:
            seed = tf.random.experimental.stateless_fold_in(seed, nonce)
        return seed

    def _warn_reuse(self, nonce) -> None:
        if nonce is not None:
            return
        if self._used and self.seed is None:
            warnings.warn(
                f"The initializer {type(self).__name__} is unseeded and being called "
                "multiple times, which will return identical values each time. Pass a "
                "`seed`, or use a new initializer instance for each weight.",
                stacklevel=3,
            )
        self._used = True

    def _normal(self, shape, mean, stddev, dtype, nonce):
        return tf.random.stateless_normal(
            shape, self._stateless_seed(nonce), mean=mean, stddev=stddev, dtype=dtype
        )

    def _truncated(self, shape, mean, stddev, dtype, nonce):
        return tf.random.stateless_truncated_normal(
            shape, self._stateless_seed(nonce), mean=mean, stddev=stddev, dtype=dtype
        )

    def _uniform(self, shape, minval, maxval, dtype, nonce):
        return tf.random.stateless_uniform(
            shape,
            self._stateless_seed(nonce),
            minval=minval,
            maxval=maxval,
            dtype=dtype,
        )


class Zeros(Initializer):
    """Fills with 0.

    >>> Zeros()((2,)).numpy()
    array([0., 0.], dtype=float32)
    """

    def __call__(self, shape, dtype=None, **kwargs):
        dtype = _dtype(dtype)
        if not dtype.is_numpy_compatible or dtype == tf.string:
            raise ValueError(f"Expected numeric or boolean dtype, got {dtype}.")
        shape, _ = _shape_from_kwargs(type(self).__name__, shape, kwargs)
        return tf.zeros(shape, dtype)


class Ones(Initializer):
    """Fills with 1."""

    def __call__(self, shape, dtype=None, **kwargs):
        dtype = _dtype(dtype)
        if not dtype.is_numpy_compatible or dtype == tf.string:
            raise ValueError(f"Expected numeric or boolean dtype, got {dtype}.")
        shape, _ = _shape_from_kwargs(type(self).__name__, shape, kwargs)
        return tf.ones(shape, dtype)


class Constant(Initializer):
    """Fills with a constant scalar `value` (or reshapes/broadcasts a list).

    Args:
        value: the value to fill with.
    """

    def __init__(self, value=0):
        self.value = value

    def __call__(self, shape, dtype=None, **kwargs):
        shape, _ = _shape_from_kwargs(type(self).__name__, shape, kwargs)
        return tf.constant(self.value, dtype=_dtype(dtype), shape=shape)

    def get_config(self) -> dict:
        return {"value": self.value}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config.pop("dtype", None)
        if isinstance(config.get("value"), dict):
            config["value"] = serialization.deserialize_keras_object(config["value"])
        return cls(**config)


class RandomUniform(_RandomInitializer):
    """Uniform values in `[minval, maxval)`.

    Args:
        minval: lower bound.
        maxval: upper bound (exclusive).
        seed: int seed; None draws one from Python's `random` once.
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval = minval
        self.maxval = maxval

    def __call__(self, shape, dtype=None, **kwargs):
        dtype = _dtype(dtype, "numeric")
        shape, nonce = _shape_from_kwargs(type(self).__name__, shape, kwargs)
        self._warn_reuse(nonce)
        return self._uniform(shape, self.minval, self.maxval, dtype, nonce)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class RandomNormal(_RandomInitializer):
    """Normally distributed values.

    Args:
        mean: mean of the distribution.
        stddev: standard deviation of the distribution.
        seed: int seed; None draws one from Python's `random` once.
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean = mean
        self.stddev = stddev

    def __call__(self, shape, dtype=None, **kwargs):
        dtype = _dtype(dtype, "float")
        shape, nonce = _shape_from_kwargs(type(self).__name__, shape, kwargs)
        self._warn_reuse(nonce)
        return self._normal(shape, self.mean, self.stddev, dtype, nonce)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class TruncatedNormal(RandomNormal):
    """Normal values, redrawn when more than two standard deviations from the mean."""

    def __call__(self, shape, dtype=None, **kwargs):
        dtype = _dtype(dtype, "float")
        shape, nonce = _shape_from_kwargs(type(self).__name__, shape, kwargs)
        self._warn_reuse(nonce)
        return self._truncated(shape, self.mean, self.stddev, dtype, nonce)


class VarianceScaling(_RandomInitializer):
    """Values whose variance is `scale / n`, `n` chosen by `mode` from the fans.

    Args:
        scale: positive scaling factor.
        mode: `"fan_in"`, `"fan_out"` or `"fan_avg"`.
        distribution: `"truncated_normal"` (alias `"normal"`),
            `"untruncated_normal"` or `"uniform"`.
        seed: int seed; None draws one from Python's `random` once.

    Raises:
        ValueError: for a non-positive scale or an unknown mode/distribution.
    """

    def __init__(
        self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None
    ):
        if scale <= 0.0:
            raise ValueError(
                f"`scale` must be positive float. Received: scale={scale}."
            )
        modes = {"fan_in", "fan_out", "fan_avg"}
        if mode not in modes:
            raise ValueError(
                f"Invalid `mode` argument: {mode}. Please use one of the {modes}."
            )
        distribution = distribution.lower()
        # Keras 1 called the truncated normal "normal"; keep reading it.
        if distribution == "normal":
            distribution = "truncated_normal"
        distributions = {"uniform", "truncated_normal", "untruncated_normal"}
        if distribution not in distributions:
            raise ValueError(
                f"Invalid `distribution` argument: {distribution}. "
                f"Allowed distributions: {distributions}."
            )
        super().__init__(seed)
        self.scale = scale
        self.mode = mode
        self.distribution = distribution

    def __call__(self, shape, dtype=None, **kwargs):
        dtype = _dtype(dtype, "float")
        shape, nonce = _shape_from_kwargs(type(self).__name__, shape, kwargs)
        self._warn_reuse(nonce)
        fan_in, fan_out = compute_fans(shape)
        fan = {
            "fan_in": fan_in,
            "fan_out": fan_out,
            "fan_avg": (fan_in + fan_out) / 2.0,
        }
        scale = self.scale / max(1.0, fan[self.mode])
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(scale) / _TRUNCATED_STDDEV
            return self._truncated(shape, 0.0, stddev, dtype, nonce)
        if self.distribution == "untruncated_normal":
            return self._normal(shape, 0.0, math.sqrt(scale), dtype, nonce)
        limit = math.sqrt(3.0 * scale)
        return self._uniform(shape, -limit, limit, dtype, nonce)

    def get_config(self) -> dict:
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "seed": self.seed,
        }


def _variance_scaling(name: str, scale: float, mode: str, distribution: str, doc: str):
    """Makes a named VarianceScaling preset whose config is only `{"seed": ...}`."""

    def __init__(self, seed=None):
        VarianceScaling.__init__(
            self, scale=scale, mode=mode, distribution=distribution, seed=seed
        )

    def get_config(self) -> dict:
        return {"seed": self.seed}

    return type(
        name,
        (VarianceScaling,),
        {
            "__init__": __init__,
            "get_config": get_config,
            "__doc__": doc,
            "__module__": __name__,
        },
    )


GlorotUniform = _variance_scaling(
    "GlorotUniform",
    1.0,
    "fan_avg",
    "uniform",
    "Glorot (Xavier) uniform: limit `sqrt(6 / (fan_in + fan_out))`.",
)
GlorotNormal = _variance_scaling(
    "GlorotNormal",
    1.0,
    "fan_avg",
    "truncated_normal",
    "Glorot (Xavier) truncated normal: stddev `sqrt(2 / (fan_in + fan_out))`.",
)
LecunUniform = _variance_scaling(
    "LecunUniform", 1.0, "fan_in", "uniform", "LeCun uniform: limit `sqrt(3 / fan_in)`."
)
LecunNormal = _variance_scaling(
    "LecunNormal",
    1.0,
    "fan_in",
    "truncated_normal",
    "LeCun truncated normal: stddev `sqrt(1 / fan_in)`.",
)
HeUniform = _variance_scaling(
    "HeUniform", 2.0, "fan_in", "uniform", "He uniform: limit `sqrt(6 / fan_in)`."
)
HeNormal = _variance_scaling(
    "HeNormal",
    2.0,
    "fan_in",
    "truncated_normal",
    "He truncated normal: stddev `sqrt(2 / fan_in)`.",
)


class Orthogonal(_RandomInitializer):
    """An orthogonal matrix (QR of a normal draw), reshaped to `shape`, times `gain`.

    Args:
        gain: multiplicative factor.
        seed: int seed; None draws one from Python's `random` once.
    """

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None, **kwargs):
        dtype = _dtype(dtype, "float")
        shape, _ = _shape_from_kwargs(
            type(self).__name__, shape, kwargs, partitions=False
        )
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        self._warn_reuse(None)
        num_rows = math.prod(shape[:-1])
        num_cols = shape[-1]
        flat = (max(num_rows, num_cols), min(num_rows, num_cols))
        q, r = tf.linalg.qr(
            self._normal(flat, 0.0, 1.0, dtype, None), full_matrices=False
        )
        # Fix the signs so the result is uniformly distributed over orthogonal matrices.
        q *= tf.sign(tf.linalg.diag_part(r))
        if num_rows < num_cols:
            q = tf.linalg.matrix_transpose(q)
        return self.gain * tf.reshape(q, shape)

    def get_config(self) -> dict:
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """`gain` times the identity matrix (2D shapes only).

    Args:
        gain: multiplicative factor.
    """

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None, **kwargs):
        dtype = _dtype(dtype, "float")
        shape, _ = _shape_from_kwargs(
            type(self).__name__, shape, kwargs, partitions=False
        )
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        return self.gain * tf.eye(*shape, dtype=dtype)

    def get_config(self) -> dict:
        return {"gain": self.gain}


def _snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


_CLASSES = [
    Zeros,
    Ones,
    Constant,
    RandomUniform,
    RandomNormal,
    TruncatedNormal,
    VarianceScaling,
    Orthogonal,
    Identity,
    GlorotUniform,
    GlorotNormal,
    LecunNormal,
    LecunUniform,
    HeNormal,
    HeUniform,
]
# snake_case aliases, exported as Keras 2 does (`initializers.glorot_uniform`).
zeros, ones, constant = Zeros, Ones, Constant
random_uniform, random_normal, truncated_normal = (
    RandomUniform,
    RandomNormal,
    TruncatedNormal,
)
variance_scaling, orthogonal, identity = VarianceScaling, Orthogonal, Identity
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
lecun_normal, lecun_uniform = LecunNormal, LecunUniform
he_normal, he_uniform = HeNormal, HeUniform


def _names() -> dict:
    """Every name a config may use for an initializer, as Keras 2 accepts them."""
    objects = {"Initializer": Initializer}
    for cls in _CLASSES:
        objects[cls.__name__] = cls
        objects[_snake_case(cls.__name__)] = cls
        # Names Keras 2.0-2.3 wrote for the TF2 classes.
        objects[cls.__name__ + "V2"] = cls
    for short, cls in {
        "normal": RandomNormal,
        "uniform": RandomUniform,
        "one": Ones,
        "zero": Zeros,
    }.items():
        objects[short] = cls
    for cls in (
        GlorotNormal,
        GlorotUniform,
        HeNormal,
        HeUniform,
        LecunNormal,
        LecunUniform,
    ):
        objects[_snake_case(cls.__name__) + "V2"] = cls
    return objects


def _module_objects() -> dict:
    return object_registry.builtin_objects("initializer")


def serialize(initializer: Initializer | None, use_legacy_format: bool = False):
    """Returns the Keras 2 config dict of an initializer (None for None)."""
    return serialization.serialize_keras_object(initializer)


def deserialize(
    config, custom_objects: dict | None = None, use_legacy_format: bool = False
) -> Initializer:
    """Rebuilds an initializer from a config dict or a name.

    Raises:
        ValueError: if the class name is unknown.
    """
    return serialization.deserialize_builtin(
        config, "initializer", custom_objects, what="initializer"
    )


def get(identifier):
    """Resolves what layers accept as `kernel_initializer=` to an initializer.

    Args:
        identifier: None, a name (`"glorot_uniform"`, `"uniform"`), a config dict,
            an initializer class (instantiated with defaults) or a callable.

    Returns:
        An initializer (or None for None).

    Raises:
        ValueError: if `identifier` cannot be interpreted.
    """
    return serialization.get_builtin(
        identifier,
        deserialize,
        what="initializer",
        default=None,
        names_are_classes=True,
        instantiate_classes=True,
    )


object_registry.register_builtins("initializer", _names())
