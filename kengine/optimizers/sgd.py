"""Stochastic gradient descent, with optional (Nesterov) momentum.

Mirrors Keras 2's `optimizers/sgd.py` (`SGD`). One slot per variable, `m` (the
velocity), created even when `momentum` is 0 so that `variables` and weight files
have the same layout as tf_keras's.

    m <- momentum * m - learning_rate * g
    w <- w + m                                  (classic momentum)
    w <- w + momentum * m - learning_rate * g   (nesterov=True)

>>> import tensorflow as tf
>>> opt = SGD(learning_rate=0.1, momentum=0.9)
>>> var = tf.Variable(1.0)
>>> for _ in range(2):
...     _ = opt.apply_gradients([(tf.constant(1.0), var)])
>>> round(float(var.numpy()), 6)  # steps of 0.1, then 0.9 * 0.1 + 0.1
0.71
"""

import tensorflow as tf

from kengine.optimizers.optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """Gradient descent (with momentum) optimizer.

    Args:
        learning_rate: float, `LearningRateSchedule`, or callable returning the
            rate. Defaults to 0.01.
        momentum: float in [0, 1]; 0 is plain gradient descent.
        nesterov: whether to apply Nesterov momentum.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, jit_compile, name, **kwargs: see `Optimizer`.

    Raises:
        ValueError: if `momentum` is a number outside [0, 1].
    """

    def __init__(
        self,
        learning_rate=0.01,
        momentum=0.0,
        nesterov: bool = False,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema: bool = False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        jit_compile: bool = True,
        name: str = "SGD",
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
        if isinstance(momentum, int | float) and not 0 <= momentum <= 1:
            raise ValueError(
                f"`momentum` must be between [0, 1]. Received: momentum={momentum}"
            )
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.momentum = momentum
        self.nesterov = nesterov

    def _build_slots(self, var_list: list) -> None:
        """Creates one `m` slot per variable."""
        [self.momentums] = self._create_slots(var_list, "m")

    def update_step(self, gradient, variable) -> None:
        lr = tf.cast(self.learning_rate, variable.dtype)
        momentum = tf.cast(self.momentum, variable.dtype)
        m = self._slot(self.momentums, variable)
        m.assign(-gradient * lr + m * momentum)
        if self.nesterov:
            variable.assign_add(-gradient * lr + m * momentum)
        else:
            variable.assign_add(m)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "learning_rate": self._serialize_hyperparameter(self._learning_rate),
                "momentum": self.momentum,
                "nesterov": self.nesterov,
            }
        )
        return config
