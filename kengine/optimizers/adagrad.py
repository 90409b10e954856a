"""Adagrad: per-coordinate learning rates that shrink with the squared gradients seen.

Mirrors Keras 2's `optimizers/adagrad.py` (`Adagrad`). One slot per variable,
`accumulator`, starting at `initial_accumulator_value`.

    acc <- acc + g**2
    w   <- w - lr * g / sqrt(acc + epsilon)

>>> import tensorflow as tf
>>> opt = Adagrad(learning_rate=0.1, initial_accumulator_value=0.0, epsilon=0.0)
>>> var = tf.Variable(1.0)
>>> _ = opt.apply_gradients([(tf.constant(2.0), var)])  # 1 - 0.1 * 2 / sqrt(4)
>>> round(float(var.numpy()), 6)
0.9
"""

import tensorflow as tf

from kengine.optimizers.optimizer import Optimizer

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Optimizer implementing the Adagrad algorithm (Duchi et al., 2011).

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        initial_accumulator_value: starting value of the accumulators (>= 0).
        epsilon: small constant added inside the square root.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, jit_compile, name, **kwargs: see `Optimizer`.
    """

    def __init__(
        self,
        learning_rate=0.001,
        initial_accumulator_value=0.1,
        epsilon=1e-7,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema: bool = False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        jit_compile: bool = True,
        name: str = "Adagrad",
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
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def _build_slots(self, var_list: list) -> None:
        """Creates one `accumulator` slot per variable."""
        self._accumulators = [
            self.add_variable_from_reference(
                var,
                "accumulator",
                initial_value=tf.fill(
                    var.shape, tf.cast(self.initial_accumulator_value, var.dtype)
                ),
            )
            for var in var_list
        ]

    def update_step(self, gradient, variable) -> None:
        lr = tf.cast(self.learning_rate, variable.dtype)
        accumulator = self._slot(self._accumulators, variable)
        accumulator.assign_add(gradient * gradient)
        variable.assign_sub(lr * gradient / tf.sqrt(accumulator + self.epsilon))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "learning_rate": self._serialize_hyperparameter(self._learning_rate),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon,
            }
        )
        return config
