"""Adadelta: step sizes from running averages of squared gradients and updates.

Mirrors Keras 2's `optimizers/adadelta.py` (`Adadelta`). Two slots per variable,
created variable by variable: `accumulated_grad`, `accumulated_delta_var`.

    Eg  <- rho * Eg + (1 - rho) * g**2
    d   <- -sqrt(Edx + eps) * g / sqrt(Eg + eps)
    Edx <- rho * Edx + (1 - rho) * d**2
    w   <- w + lr * d

>>> import tensorflow as tf
>>> opt = Adadelta(learning_rate=1.0, rho=0.5, epsilon=1.0)
>>> var = tf.Variable(0.0)
>>> _ = opt.apply_gradients([(tf.constant(2.0), var)])  # d = -1 * 2 / sqrt(3)
>>> round(float(var.numpy()), 5)
-1.1547
"""

import tensorflow as tf

from kengine.optimizers.optimizer import Optimizer

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Optimizer implementing the Adadelta algorithm (Zeiler, 2012).

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001 (the
            paper's form is 1.0).
        rho: decay rate of the running averages.
        epsilon: small constant added inside the square roots.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, jit_compile, name, **kwargs: see `Optimizer`.
    """

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.95,
        epsilon=1e-7,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema: bool = False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        jit_compile: bool = True,
        name: str = "Adadelta",
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
        self.rho = rho
        self.epsilon = epsilon

    def _build_slots(self, var_list: list) -> None:
        """Creates `accumulated_grad` and `accumulated_delta_var` slots."""
        self._accumulated_grads, self._accumulated_delta_vars = self._create_slots(
            var_list, "accumulated_grad", "accumulated_delta_var"
        )

    def update_step(self, gradient, variable) -> None:
        lr = tf.cast(self.learning_rate, variable.dtype)
        rho = self.rho
        accumulated_grad = self._slot(self._accumulated_grads, variable)
        accumulated_delta = self._slot(self._accumulated_delta_vars, variable)

        def rms(x):
            return tf.sqrt(x + self.epsilon)

        accumulated_grad.assign(
            rho * accumulated_grad + (1 - rho) * gradient * gradient
        )
        delta = -rms(accumulated_delta) * gradient / rms(accumulated_grad)
        accumulated_delta.assign(rho * accumulated_delta + (1 - rho) * delta * delta)
        variable.assign_add(lr * delta)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "learning_rate": self._serialize_hyperparameter(self._learning_rate),
                "rho": self.rho,
                "epsilon": self.epsilon,
            }
        )
        return config
