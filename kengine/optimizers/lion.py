"""Lion (EvoLved Sign Momentum, Chen et al., 2023): steps of the sign of momentum.

Mirrors Keras 2's `optimizers/lion.py` (`Lion`). One slot per variable, `m`:

    w <- w - lr * sign(beta_1 * m + (1 - beta_1) * g)
    m <- beta_2 * m + (1 - beta_2) * g

Every coordinate moves by exactly `lr` (or not at all), so Lion wants a smaller
learning rate than Adam (the default is 1e-4).

>>> import tensorflow as tf
>>> opt = Lion(learning_rate=0.1)
>>> var = tf.Variable([1.0, 1.0])
>>> _ = opt.apply_gradients([(tf.constant([0.5, -2.0]), var)])
>>> [round(float(v), 5) for v in var.numpy()]
[0.9, 1.1]
"""

import tensorflow as tf

from kengine.optimizers.optimizer import Optimizer

__all__ = ["Lion"]


class Lion(Optimizer):
    """Optimizer implementing the Lion algorithm.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.0001.
        beta_1: weight of the momentum in the step's sign, in (0, 1].
        beta_2: decay rate of the momentum.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, jit_compile, name, **kwargs: see `Optimizer`.

    Raises:
        ValueError: if `beta_1` is not in (0, 1].
    """

    def __init__(
        self,
        learning_rate=0.0001,
        beta_1=0.9,
        beta_2=0.99,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema: bool = False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        jit_compile: bool = True,
        name: str = "Lion",
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
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(
                f"`beta_1`={beta_1} must be between ]0, 1]. Otherwise, the "
                "optimizer degenerates to SignSGD."
            )

    def _build_slots(self, var_list: list) -> None:
        """Creates one `m` slot per variable."""
        [self._momentums] = self._create_slots(var_list, "m")

    def update_step(self, gradient, variable) -> None:
        dtype = variable.dtype
        lr = tf.cast(self.learning_rate, dtype)
        beta_1 = tf.cast(self.beta_1, dtype)
        beta_2 = tf.cast(self.beta_2, dtype)
        m = self._slot(self._momentums, variable)
        variable.assign_sub(lr * tf.sign(m * beta_1 + gradient * (1.0 - beta_1)))
        m.assign(m * beta_2 + gradient * (1.0 - beta_2))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "learning_rate": self._serialize_hyperparameter(self._learning_rate),
                "beta_1": self.beta_1,
                "beta_2": self.beta_2,
            }
        )
        return config
