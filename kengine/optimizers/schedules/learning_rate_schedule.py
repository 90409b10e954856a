"""Learning-rate schedules: a learning rate that is a function of the optimizer step.

Mirrors Keras 2's `optimizers/schedules/learning_rate_schedule.py`
(`LearningRateSchedule`, `ExponentialDecay`, `PiecewiseConstantDecay`,
`PolynomialDecay`, `InverseTimeDecay`, `CosineDecay`, `CosineDecayRestarts`,
`serialize`, `deserialize`).

A schedule is a plain Python object with `__call__(step) -> scalar tensor` and
`get_config()`. An optimizer given a schedule keeps it, plus one non-trainable
variable holding the current rate, and re-evaluates the schedule on
`optimizer.iterations` once per `apply_gradients` (see `optimizer.py`). Every
schedule is written with TensorFlow ops only, never Python branches on the step,
so one trace of a `tf.function` (or an XLA cluster) serves every step. The
arithmetic follows tf_keras operation by operation so values agree to float
rounding.

>>> schedule = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
>>> [round(float(schedule(step)), 4) for step in (0, 10, 20)]
[0.1, 0.05, 0.025]
"""

import abc
import math

import tensorflow as tf

from kengine.utils import serialization

__all__ = [
    "LearningRateSchedule",
    "ExponentialDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "InverseTimeDecay",
    "CosineDecay",
    "CosineDecayRestarts",
    "serialize",
    "deserialize",
]

# tf_keras writes this module path into serialized schedules.
_PUBLIC_MODULE = "keras.optimizers.schedules"


class LearningRateSchedule:
    """Base class of learning-rate schedules.

    Subclasses implement `__call__(step)`, returning the learning rate for the
    (integer tensor) optimizer step, and `get_config()`, returning the
    constructor arguments; `from_config` calls the constructor with them.
    """

    @abc.abstractmethod
    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override "
            "`__call__(self, step)`."
        )

    @abc.abstractmethod
    def get_config(self) -> dict:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override "
            "`get_config()` in order to be serializable."
        )

    @classmethod
    def from_config(cls, config: dict) -> "LearningRateSchedule":
        """Instantiates the schedule from `get_config()`'s output."""
        return cls(**config)


def _start(initial_learning_rate, step):
    """Returns the initial rate as a tensor and the step cast to its dtype."""
    initial = tf.convert_to_tensor(initial_learning_rate, name="initial_learning_rate")
    return initial, tf.cast(step, initial.dtype)


class ExponentialDecay(LearningRateSchedule):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)`.

    Args:
        initial_learning_rate: the rate at step 0 (float or scalar tensor).
        decay_steps: the number of steps over which the rate is multiplied by
            `decay_rate` once.
        decay_rate: the decay factor.
        staircase: if True, `step / decay_steps` is floored, so the rate changes
            in discrete jumps.
        name: name scope of the ops; defaults to "ExponentialDecay".
    """

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        decay_rate,
        staircase: bool = False,
        name: str | None = None,
    ):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        with tf.name_scope(self.name or "ExponentialDecay") as name:
            initial, step = _start(self.initial_learning_rate, step)
            p = step / tf.cast(self.decay_steps, initial.dtype)
            if self.staircase:
                p = tf.floor(p)
            decay_rate = tf.cast(self.decay_rate, initial.dtype)
            return tf.multiply(initial, tf.pow(decay_rate, p), name=name)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    """A constant rate per interval of steps.

    The rate is `values[0]` while `step <= boundaries[0]`, `values[1]` while
    `boundaries[0] < step <= boundaries[1]`, ..., and `values[-1]` after
    `boundaries[-1]`.

    Args:
        boundaries: strictly increasing step boundaries.
        values: the rates, one more than `boundaries`.
        name: name scope of the ops; defaults to "PiecewiseConstant".

    Raises:
        ValueError: if `len(values) != len(boundaries) + 1`.
    """

    def __init__(self, boundaries, values, name: str | None = None):
        super().__init__()
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of "
                f"values. Received: boundaries={boundaries} of length "
                f"{len(boundaries)}, and values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        with tf.name_scope(self.name or "PiecewiseConstant"):
            step = tf.convert_to_tensor(step)
            values = tf.convert_to_tensor(tf.nest.flatten(self.values))
            # The interval index is the number of boundaries strictly below the
            # step; `tf.gather` then picks the value without any branching.
            index = tf.constant(0, tf.int32)
            for boundary in tf.nest.flatten(self.boundaries):
                index += tf.cast(step > tf.cast(boundary, step.dtype), tf.int32)
            return tf.gather(values, index)

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """Polynomial decay from `initial_learning_rate` to `end_learning_rate`.

    `(initial - end) * (1 - min(step, decay_steps) / decay_steps) ** power + end`;
    with `cycle=True` the horizon grows to the first multiple of `decay_steps`
    at or above the step instead of clamping the step.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the number of steps to reach `end_learning_rate`.
        end_learning_rate: the final rate.
        power: the polynomial's power.
        cycle: whether to restart the decay after `decay_steps`.
        name: name scope of the ops; defaults to "PolynomialDecay".
    """

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        end_learning_rate=0.0001,
        power=1.0,
        cycle: bool = False,
        name: str | None = None,
    ):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        with tf.name_scope(self.name or "PolynomialDecay") as name:
            initial, step = _start(self.initial_learning_rate, step)
            end = tf.cast(self.end_learning_rate, initial.dtype)
            power = tf.cast(self.power, initial.dtype)
            decay_steps = tf.cast(self.decay_steps, initial.dtype)
            if self.cycle:
                # At step 0 the horizon is one period, not zero periods.
                multiplier = tf.where(
                    tf.equal(step, 0),
                    tf.ones_like(step),
                    tf.math.ceil(step / decay_steps),
                )
                decay_steps = decay_steps * multiplier
            else:
                step = tf.minimum(step, decay_steps)
            p = step / decay_steps
            return tf.add((initial - end) * tf.pow(1 - p, power), end, name=name)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class InverseTimeDecay(LearningRateSchedule):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)`.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: how often the decay is applied.
        decay_rate: the decay rate.
        staircase: if True, `step / decay_steps` is floored.
        name: name scope of the ops; defaults to "InverseTimeDecay".
    """

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        decay_rate,
        staircase: bool = False,
        name: str | None = None,
    ):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        with tf.name_scope(self.name or "InverseTimeDecay") as name:
            initial, step = _start(self.initial_learning_rate, step)
            p = step / tf.cast(self.decay_steps, initial.dtype)
            if self.staircase:
                p = tf.floor(p)
            denominator = 1 + tf.cast(self.decay_rate, initial.dtype) * p
            return tf.divide(initial, denominator, name=name)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


def _cosine(fraction, alpha):
    """The cosine factor, from 1 at `fraction=0` down to `alpha` at 1."""
    pi = tf.constant(math.pi, dtype=fraction.dtype)
    return (1 - alpha) * (0.5 * (1.0 + tf.cos(pi * fraction))) + alpha


class CosineDecay(LearningRateSchedule):
    """Optional linear warmup, then cosine decay (SGDR without restarts).

    Without `warmup_target` the rate decays from `initial_learning_rate` to
    `alpha * initial_learning_rate` over `decay_steps`. With it, the rate first
    rises linearly from `initial_learning_rate` to `warmup_target` over
    `warmup_steps`, then decays from `warmup_target` over `decay_steps`.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the number of decay steps.
        alpha: the final rate as a fraction of the rate the decay starts from.
        name: name scope of the ops; defaults to "CosineDecay".
        warmup_target: the rate reached at the end of the warmup, or None for no
            warmup.
        warmup_steps: the number of warmup steps.
    """

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        alpha=0.0,
        name: str | None = None,
        warmup_target=None,
        warmup_steps=0,
    ):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target

    def __call__(self, step):
        with tf.name_scope(self.name or "CosineDecay"):
            initial, step = _start(self.initial_learning_rate, step)
            decay_steps = tf.cast(self.decay_steps, initial.dtype)
            if self.warmup_target is None:
                step = tf.minimum(step, decay_steps)
                return initial * _cosine(step / decay_steps, self.alpha)
            target = tf.cast(self.warmup_target, initial.dtype)
            warmup_steps = tf.cast(self.warmup_steps, initial.dtype)
            step = tf.minimum(step, decay_steps + warmup_steps)
            return tf.cond(
                step < warmup_steps,
                lambda: (target - initial) * (step / warmup_steps) + initial,
                lambda: (
                    target * _cosine((step - warmup_steps) / decay_steps, self.alpha)
                ),
            )

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR, Loshchilov & Hutter 2016).

    The first period lasts `first_decay_steps`; each restart lasts `t_mul` times
    longer than the previous period and starts from `m_mul` times its rate.

    Args:
        initial_learning_rate: the rate at step 0.
        first_decay_steps: the length of the first period.
        t_mul: the period growth factor.
        m_mul: the restart rate factor.
        alpha: the minimum rate as a fraction of `initial_learning_rate`.
        name: name scope of the ops; defaults to "SGDRDecay".
    """

    def __init__(
        self,
        initial_learning_rate,
        first_decay_steps,
        t_mul=2.0,
        m_mul=1.0,
        alpha=0.0,
        name: str | None = None,
    ):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        with tf.name_scope(self.name or "SGDRDecay") as name:
            initial, step = _start(self.initial_learning_rate, step)
            dtype = initial.dtype
            alpha = tf.cast(self.alpha, dtype)
            t_mul = tf.cast(self._t_mul, dtype)
            m_mul = tf.cast(self._m_mul, dtype)
            fraction = step / tf.cast(self.first_decay_steps, dtype)
            restart, fraction = tf.cond(
                tf.equal(t_mul, 1.0),
                lambda: _equal_periods(fraction),
                lambda: _growing_periods(fraction, t_mul),
            )
            cosine = (
                0.5
                * m_mul**restart
                * (1.0 + tf.cos(tf.constant(math.pi, dtype=dtype) * fraction))
            )
            return tf.multiply(initial, (1 - alpha) * cosine + alpha, name=name)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


def _equal_periods(fraction):
    """Restart index and position inside the period when periods never grow."""
    restart = tf.floor(fraction)
    return restart, fraction - restart


def _growing_periods(fraction, t_mul):
    """Restart index and position when period i lasts `t_mul**i` first periods."""
    # Periods 0..i-1 cover (1 - t_mul**i) / (1 - t_mul) first periods; invert it.
    restart = tf.floor(tf.math.log(1.0 - fraction * (1.0 - t_mul)) / tf.math.log(t_mul))
    elapsed = (1.0 - t_mul**restart) / (1.0 - t_mul)
    return restart, (fraction - elapsed) / t_mul**restart


_SCHEDULES = {
    cls.__name__: cls
    for cls in (
        LearningRateSchedule,
        ExponentialDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        InverseTimeDecay,
        CosineDecay,
        CosineDecayRestarts,
    )
}


def serialize(
    learning_rate_schedule: LearningRateSchedule, use_legacy_format: bool = False
) -> dict:
    """Returns the JSON-compatible config of a schedule, as tf_keras writes it.

    Args:
        learning_rate_schedule: the schedule.
        use_legacy_format: write the pre-2.13 `{class_name, config}` form.

    Returns:
        A dict with `module`, `class_name`, `config` and `registered_name`
        (only `class_name` and `config` in the legacy form).

    >>> serialize(InverseTimeDecay(0.1, 10, 0.5))["module"]
    'keras.optimizers.schedules'
    """
    config = serialization.serialize_keras_object(learning_rate_schedule)
    if use_legacy_format:
        return {"class_name": config["class_name"], "config": config["config"]}
    if _SCHEDULES.get(type(learning_rate_schedule).__name__) is type(
        learning_rate_schedule
    ):
        config["module"] = _PUBLIC_MODULE
    return config


def deserialize(
    config, custom_objects: dict | None = None, use_legacy_format: bool = False
) -> LearningRateSchedule:
    """Rebuilds a schedule from `serialize`'s output (either form).

    Args:
        config: the dict written by `serialize`.
        custom_objects: user schedule classes by name.
        use_legacy_format: accepted for tf_keras compatibility; both forms are
            read either way.

    Returns:
        The schedule.

    Raises:
        ValueError: if the class name is unknown.
    """
    del use_legacy_format  # The reader understands both layouts.
    return serialization.deserialize_keras_object(
        config,
        module_objects=_SCHEDULES,
        custom_objects=custom_objects,
        printable_module_name="decay",
    )
