"""FTRL-Proximal (Follow The Regularized Leader), the Keras 2.11+ `Ftrl`.

Mirrors Keras 2's `optimizers/ftrl.py` (`Ftrl`). Slots, per variable in turn:
`accumulator` (starting at `initial_accumulator_value`), then `linear`. With
`p = -learning_rate_power` and `l2' = l2 + beta / (2 * lr)`:

    g' = g + 2 * l2_shrinkage * w
    accumulator_new = accumulator + g**2
    linear <- linear + g' - (accumulator_new**p - accumulator**p) / lr * w
    w <- (clip(linear, -l1, l1) - linear) / (accumulator_new**p / lr + 2 * l2')
    accumulator <- accumulator_new

>>> import tensorflow as tf
>>> opt = Ftrl(learning_rate=0.1)
>>> var = tf.Variable(1.0)
>>> _ = opt.apply_gradients([(tf.constant(1.0), var)])
>>> round(float(var.numpy()), 4)
0.6031
"""

import tensorflow as tf

from kengine.optimizers.optimizer import Optimizer

__all__ = ["Ftrl", "check_ftrl_arguments"]


def check_ftrl_arguments(**values) -> None:
    """Raises tf_keras's ValueErrors for out-of-range FTRL arguments.

    Args:
        **values: any of `initial_accumulator_value`, `learning_rate_power`,
            `l1_regularization_strength`, `l2_regularization_strength`,
            `l2_shrinkage_regularization_strength`.

    Raises:
        ValueError: if `learning_rate_power` is positive or another value is
            negative.
    """
    for name, value in values.items():
        if name == "learning_rate_power":
            if value > 0.0:
                raise ValueError(
                    "`learning_rate_power` needs to be negative or zero. "
                    f"Received: learning_rate_power={value}."
                )
        elif value < 0.0:
            raise ValueError(
                f"`{name}` needs to be positive or zero. Received: {name}={value}."
            )


class Ftrl(Optimizer):
    """Optimizer implementing FTRL-Proximal (McMahan et al., 2013).

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        learning_rate_power: <= 0; how fast the per-coordinate rate falls.
        initial_accumulator_value: >= 0, starting value of `accumulator`.
        l1_regularization_strength: >= 0.
        l2_regularization_strength: >= 0 (stabilization penalty).
        l2_shrinkage_regularization_strength: >= 0 (magnitude penalty).
        beta: added to the denominator of the per-coordinate rate.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, jit_compile, name, **kwargs: see `Optimizer`.

    Raises:
        ValueError: when one of the FTRL arguments is outside its range.
    """

    def __init__(
        self,
        learning_rate=0.001,
        learning_rate_power=-0.5,
        initial_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        l2_shrinkage_regularization_strength=0.0,
        beta=0.0,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema: bool = False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        jit_compile: bool = True,
        name: str = "Ftrl",
        **kwargs,
    ):
        super().__init__(
            name=name,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            jit_compile=jit_compile,
            **kwargs,
        )
        check_ftrl_arguments(
            initial_accumulator_value=initial_accumulator_value,
            learning_rate_power=learning_rate_power,
            l1_regularization_strength=l1_regularization_strength,
            l2_regularization_strength=l2_regularization_strength,
            l2_shrinkage_regularization_strength=l2_shrinkage_regularization_strength,
        )
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def _build_slots(self, var_list: list) -> None:
        """Creates `accumulator` then `linear`, variable by variable."""
        self._accumulators, self._linears = [], []
        for var in var_list:
            initial = tf.fill(
                var.shape, tf.cast(self.initial_accumulator_value, var.dtype)
            )
            self._accumulators.append(
                self.add_variable_from_reference(
                    var, "accumulator", initial_value=initial
                )
            )
            self._linears.append(self.add_variable_from_reference(var, "linear"))

    def update_step(self, gradient, variable) -> None:
        lr = tf.cast(self.learning_rate, variable.dtype)
        accum = self._slot(self._accumulators, variable)
        linear = self._slot(self._linears, variable)
        power = -self.learning_rate_power
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        shrunk = gradient + 2 * self.l2_shrinkage_regularization_strength * variable
        new_accum = accum + tf.pow(gradient, 2)
        linear.assign_add(
            shrunk - (tf.pow(new_accum, power) - tf.pow(accum, power)) / lr * variable
        )
        quadratic = tf.pow(new_accum, power) / lr + 2 * l2
        l1 = self.l1_regularization_strength
        variable.assign((tf.clip_by_value(linear, -l1, l1) - linear) / quadratic)
        accum.assign(new_accum)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "learning_rate": self._serialize_hyperparameter(self._learning_rate),
                "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": (
                    self.l2_shrinkage_regularization_strength
                ),
                "beta": self.beta,
            }
        )
        return config
