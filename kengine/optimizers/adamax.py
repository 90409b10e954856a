"""Adamax: Adam with the infinity norm in place of the second moment.

Mirrors Keras 2's `optimizers/adamax.py` (`Adamax`). Two slots per variable,
created variable by variable: `m` (first moment) and `u` (infinity norm).

    m <- m + (g - m) * (1 - beta_1)
    u <- max(beta_2 * u, |g|)
    w <- w - lr * m / ((1 - beta_1**t) * (u + epsilon))

>>> import tensorflow as tf
>>> opt = Adamax(learning_rate=0.1)
>>> var = tf.Variable(1.0)
>>> _ = opt.apply_gradients([(tf.constant(-2.0), var)])
>>> round(float(var.numpy()), 5)
1.1
"""

import tensorflow as tf

from kengine.optimizers.optimizer import Optimizer

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Optimizer implementing the Adamax algorithm (Kingma & Ba, 2014, sec. 7).

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        beta_1: decay rate of the first-moment estimate.
        beta_2: decay rate of the infinity norm.
        epsilon: small constant added to the norm.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, jit_compile, name, **kwargs: see `Optimizer`.
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema: bool = False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        jit_compile: bool = True,
        name: str = "Adamax",
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
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _build_slots(self, var_list: list) -> None:
        """Creates `m` and `u` slots."""
        self._m, self._u = self._create_slots(var_list, "m", "u")

    def update_step(self, gradient, variable) -> None:
        dtype = variable.dtype
        lr = tf.cast(self.learning_rate, dtype)
        step = tf.cast(self.iterations + 1, dtype)
        beta_1_power = tf.pow(tf.cast(self.beta_1, dtype), step)
        m = self._slot(self._m, variable)
        u = self._slot(self._u, variable)
        m.assign_add((gradient - m) * (1 - self.beta_1))
        u.assign(tf.maximum(self.beta_2 * u, tf.abs(gradient)))
        variable.assign_sub((lr * m) / ((1 - beta_1_power) * (u + self.epsilon)))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "learning_rate": self._serialize_hyperparameter(self._learning_rate),
                "beta_1": self.beta_1,
                "beta_2": self.beta_2,
                "epsilon": self.epsilon,
            }
        )
        return config
