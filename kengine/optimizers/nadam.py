"""Nadam: Adam with Nesterov momentum and a warming-up momentum schedule.

Mirrors Keras 2's `optimizers/nadam.py` (`Nadam`). Slots `m` and `v`, created
variable by variable, plus one scalar variable shared by all variables: the
running product of the momentum factors `u_1 * ... * u_t`, where
`u_t = beta_1 * (1 - 0.5 * 0.96**t)`. Like tf_keras, that product is tracked for
checkpoints but not listed in `variables`.

tf_keras advances the product from inside `update_step` guarded by a Python
counter, which a `tf.function` freezes at trace time (its traced and eager
results differ). kengine advances it once per step in `_begin_step`, in
cross-replica context, so every execution mode computes tf_keras's eager numbers:

    m <- m + (g - m) * (1 - beta_1);  v <- v + (g**2 - v) * (1 - beta_2)
    m_hat = u_{t+1} * m / (1 - prod_{t+1}) + (1 - u_t) * g / (1 - prod_t)
    w <- w - lr * m_hat / (sqrt(v / (1 - beta_2**t)) + epsilon)

>>> import tensorflow as tf
>>> opt = Nadam(learning_rate=0.1)
>>> var = tf.Variable(1.0)
>>> _ = opt.apply_gradients([(tf.constant(0.5), var)])
>>> round(float(var.numpy()), 5)
0.89372
"""

import tensorflow as tf

from kengine.optimizers.optimizer import Optimizer

__all__ = ["Nadam"]

_MOMENTUM_DECAY = 0.96  # Dozat's schedule constant, fixed in Keras.


class Nadam(Optimizer):
    """Optimizer implementing the Nadam algorithm (Dozat, 2015).

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        beta_1: decay rate of the first-moment estimate.
        beta_2: decay rate of the second-moment estimate.
        epsilon: small constant added to the denominator.
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
        name: str = "Nadam",
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
        """Creates `m` and `v` slots and the shared momentum product."""
        dtype = var_list[0].dtype if var_list else tf.float32
        self._u_product = tf.Variable(1.0, dtype=dtype, trainable=False)
        self._momentums, self._velocities = self._create_slots(var_list, "m", "v")

    def _momentum_factor(self, step, dtype):
        """`u_step = beta_1 * (1 - 0.5 * 0.96**step)`."""
        decay = tf.cast(_MOMENTUM_DECAY, dtype)
        return tf.cast(self.beta_1, dtype) * (1.0 - 0.5 * tf.pow(decay, step))

    def _begin_step(self) -> None:
        dtype = self._u_product.dtype
        step = tf.cast(self.iterations + 1, dtype)
        self._u_product.assign(self._u_product * self._momentum_factor(step, dtype))

    def update_step(self, gradient, variable) -> None:
        dtype = variable.dtype
        lr = tf.cast(self.learning_rate, dtype)
        step = tf.cast(self.iterations + 1, dtype)
        beta_1 = tf.cast(self.beta_1, dtype)
        beta_2 = tf.cast(self.beta_2, dtype)
        u_t = self._momentum_factor(step, dtype)
        u_next = self._momentum_factor(step + 1, dtype)
        product = tf.cast(self._u_product, dtype)  # u_1 * ... * u_t (_begin_step)
        product_next = product * u_next
        m = self._slot(self._momentums, variable)
        v = self._slot(self._velocities, variable)
        m.assign_add((gradient - m) * (1 - beta_1))
        v.assign_add((tf.square(gradient) - v) * (1 - beta_2))
        m_hat = u_next * m / (1 - product_next) + (1 - u_t) * gradient / (1 - product)
        v_hat = v / (1 - tf.pow(beta_2, step))
        variable.assign_sub((m_hat * lr) / (tf.sqrt(v_hat) + self.epsilon))

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
