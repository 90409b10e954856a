"""RMSprop: divide the gradient by a running root-mean-square of recent gradients.

Mirrors Keras 2's `optimizers/rmsprop.py` (`RMSprop`). Slots, in tf_keras's order:
all `velocity` slots (the mean square), then `momentum` slots if `momentum > 0`,
then `average_gradient` slots if `centered`.

    v <- rho * v + (1 - rho) * g**2
    a <- rho * a + (1 - rho) * g                      (centered only)
    step = lr * g / sqrt(v - a**2 + epsilon)          (a = 0 when not centered)
    w <- w - step, or with momentum: mom <- momentum * mom + step; w <- w - mom

>>> import tensorflow as tf
>>> opt = RMSprop(learning_rate=0.1)
>>> var = tf.Variable(10.0)
>>> opt.minimize(lambda: var**2 / 2.0, [var])
>>> round(float(var.numpy()), 5)
9.68377
"""

import tensorflow as tf

from kengine.optimizers.optimizer import Optimizer

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """Optimizer implementing the RMSprop algorithm (Hinton, 2012).

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        rho: discounting factor of the running mean square.
        momentum: momentum of the update; 0 turns it (and its slots) off.
        epsilon: small constant added inside the square root.
        centered: normalize by the estimated variance instead of the
            uncentered second moment.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, jit_compile, name, **kwargs: see `Optimizer`
            (tf_keras defaults `ema_overwrite_frequency` to 100 here).
    """

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.9,
        momentum=0.0,
        epsilon=1e-7,
        centered: bool = False,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema: bool = False,
        ema_momentum=0.99,
        ema_overwrite_frequency=100,
        jit_compile: bool = True,
        name: str = "RMSprop",
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
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def _build_slots(self, var_list: list) -> None:
        """Creates `velocity`, then `momentum` and `average_gradient` slots."""
        [self._velocities] = self._create_slots(var_list, "velocity")
        self._momentums = []
        if self.momentum > 0:
            [self._momentums] = self._create_slots(var_list, "momentum")
        self._average_gradients = []
        if self.centered:
            [self._average_gradients] = self._create_slots(var_list, "average_gradient")

    def update_step(self, gradient, variable) -> None:
        lr = tf.cast(self.learning_rate, variable.dtype)
        rho = self.rho
        velocity = self._slot(self._velocities, variable)
        velocity.assign(rho * velocity + (1 - rho) * tf.square(gradient))
        denominator = velocity + self.epsilon
        if self.centered:
            average = self._slot(self._average_gradients, variable)
            average.assign(rho * average + (1 - rho) * gradient)
            denominator = velocity - tf.square(average) + self.epsilon
        increment = lr * gradient * tf.math.rsqrt(denominator)
        if self.momentum > 0:
            momentum = self._slot(self._momentums, variable)
            momentum.assign(self.momentum * momentum + increment)
            variable.assign_add(-momentum)
        else:
            variable.assign_add(-increment)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "learning_rate": self._serialize_hyperparameter(self._learning_rate),
                "rho": self.rho,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "centered": self.centered,
            }
        )
        return config
