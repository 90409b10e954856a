"""Adam: bias-corrected running averages of the gradient and its square.

Mirrors Keras 2's `optimizers/adam.py` (`Adam`). Slots, in tf_keras's order: `m`
and `v` variable by variable, then `vhat` for every variable if `amsgrad`.

    t = iterations + 1
    m <- m + (g - m) * (1 - beta_1)
    v <- v + (g**2 - v) * (1 - beta_2)
    vhat <- max(vhat, v); v = vhat                     (amsgrad only)
    w <- w - lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (sqrt(v) + eps)

>>> import tensorflow as tf
>>> opt = Adam(learning_rate=0.1)
>>> var = tf.Variable(1.0)
>>> _ = opt.apply_gradients([(tf.constant(0.5), var)])  # the first step is ~lr
>>> round(float(var.numpy()), 5)
0.9
"""

import tensorflow as tf

from kengine.optimizers.optimizer import Optimizer

__all__ = ["Adam"]


class Adam(Optimizer):
    """Optimizer implementing the Adam algorithm (Kingma & Ba, 2014).

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        beta_1: decay rate of the first-moment estimate.
        beta_2: decay rate of the second-moment estimate.
        epsilon: small constant ("epsilon hat" of the paper).
        adaptive_epsilon: scale epsilon by `sqrt(1 - beta_2**t)` (the paper's
            Algorithm 1 epsilon). Written to the config only when True, so
            default configs keep tf_keras's keys.
        amsgrad: use the AMSGrad variant (Reddi et al., 2018).
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, jit_compile, name, **kwargs: see `Optimizer`.
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        adaptive_epsilon: bool = False,
        amsgrad: bool = False,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema: bool = False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        jit_compile: bool = True,
        name: str = "Adam",
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
        self.adaptive_epsilon = adaptive_epsilon
        self.amsgrad = amsgrad

    def _build_slots(self, var_list: list) -> None:
        """Creates `m` and `v` slots, then `vhat` slots with `amsgrad`."""
        self._momentums, self._velocities = self._create_slots(var_list, "m", "v")
        if self.amsgrad:
            [self._velocity_hats] = self._create_slots(var_list, "vhat")

    def update_step(self, gradient, variable) -> None:
        dtype = variable.dtype
        lr = tf.cast(self.learning_rate, dtype)
        step = tf.cast(self.iterations + 1, dtype)
        beta_1_power = tf.pow(tf.cast(self.beta_1, dtype), step)
        beta_2_power = tf.pow(tf.cast(self.beta_2, dtype), step)
        m = self._slot(self._momentums, variable)
        v = self._slot(self._velocities, variable)
        alpha = lr * tf.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        epsilon = self.epsilon
        if self.adaptive_epsilon:
            epsilon = self.epsilon * tf.sqrt(1 - beta_2_power)
        m.assign_add((gradient - m) * (1 - self.beta_1))
        v.assign_add((tf.square(gradient) - v) * (1 - self.beta_2))
        if self.amsgrad:
            v_hat = self._slot(self._velocity_hats, variable)
            v_hat.assign(tf.maximum(v_hat, v))
            v = v_hat
        variable.assign_sub((m * alpha) / (tf.sqrt(v) + epsilon))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "learning_rate": self._serialize_hyperparameter(self._learning_rate),
                "beta_1": self.beta_1,
                "beta_2": self.beta_2,
                "epsilon": self.epsilon,
                "amsgrad": self.amsgrad,
            }
        )
        if self.adaptive_epsilon:
            config["adaptive_epsilon"] = True
        return config
