"""Adafactor (Shazeer & Stern, 2018): Adam-like steps with factored second moments.

Mirrors Keras 2's `optimizers/adafactor.py` (`Adafactor`). For a matrix (or any
variable of rank >= 2) the second moment is kept as a row average `r` and a
column average `c` instead of a full tensor, which saves memory. Slots, per
variable in turn: `r/<name>` and `c/<name>` (only for rank >= 2), then `v`:

    t = iterations + 1
    lr_t = min(lr, 1 / sqrt(t)) if relative_step and lr is not a schedule
    alpha = max(epsilon_2, rms(w)) * min(lr_t, 1 / sqrt(t))
    g2 = g**2 + epsilon_1;  beta_2_t = 1 - t**beta_2_decay
    rank >= 2:  r <- beta_2_t * r + (1 - beta_2_t) * mean(g2, axis=-1)
                c <- beta_2_t * c + (1 - beta_2_t) * mean(g2, axis=-2)
                v = (r / mean(r, axis=-1))[..., None] * c[..., None, :]
    otherwise:  v <- beta_2_t * v + (1 - beta_2_t) * g2
    u = g / sqrt(v);  w <- w - alpha * u / max(1, rms(u) / clip_threshold)

>>> import tensorflow as tf
>>> opt = Adafactor(learning_rate=0.1)
>>> var = tf.Variable(tf.ones((2, 3)), name="kernel")
>>> _ = opt.apply_gradients([(tf.ones((2, 3)), var)])
>>> [v.name for v in opt.variables]
['iteration:0', 'Adafactor/r/kernel:0', 'Adafactor/c/kernel:0', 'Adafactor/v/kernel:0']
"""

import tensorflow as tf

from kengine.optimizers.optimizer import Optimizer
from kengine.optimizers.schedules import learning_rate_schedule as schedules

__all__ = ["Adafactor"]


def _rms(x):
    return tf.sqrt(tf.reduce_mean(tf.square(x)))


class Adafactor(Optimizer):
    """Optimizer implementing the Adafactor algorithm.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        beta_2_decay: exponent of the second-moment decay schedule.
        epsilon_1: added to the squared gradient.
        epsilon_2: lower bound of the parameter scale.
        clip_threshold: bound on the RMS of the normalized update.
        relative_step: cap a constant learning rate by `1 / sqrt(t)`.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, jit_compile, name, **kwargs: see `Optimizer`.
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_2_decay=-0.8,
        epsilon_1=1e-30,
        epsilon_2=1e-3,
        clip_threshold=1.0,
        relative_step=True,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema: bool = False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        jit_compile: bool = True,
        name: str = "Adafactor",
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
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def _build_slots(self, var_list: list) -> None:
        """Creates `r` and `c` (for rank >= 2), then `v`, variable by variable."""
        self._r, self._c, self._v = [], [], []
        for var in var_list:
            name = var.name.split(":")[0]
            if len(var.shape) < 2:
                # tf_keras makes untracked placeholders here; nothing is stored.
                self._r.append(None)
                self._c.append(None)
            else:
                self._r.append(
                    self.add_variable(var.shape[:-1], var.dtype, name=f"r/{name}")
                )
                self._c.append(
                    self.add_variable(
                        var.shape[:-2] + var.shape[-1:], var.dtype, name=f"c/{name}"
                    )
                )
            self._v.append(self.add_variable_from_reference(var, "v"))

    def update_step(self, gradient, variable) -> None:
        dtype = variable.dtype
        lr = tf.cast(self.learning_rate, dtype)
        step = tf.cast(self.iterations + 1, dtype)
        if self.relative_step and not isinstance(
            self._learning_rate, schedules.LearningRateSchedule
        ):
            lr = tf.minimum(lr, tf.math.rsqrt(step))
        r = self._slot(self._r, variable)
        c = self._slot(self._c, variable)
        v = self._slot(self._v, variable)
        rho = tf.minimum(lr, tf.math.rsqrt(step))
        alpha = tf.maximum(tf.cast(self.epsilon_2, dtype), _rms(variable)) * rho
        grad_square = tf.square(gradient) + self.epsilon_1
        beta_2 = 1 - tf.pow(step, self.beta_2_decay)
        if len(variable.shape) >= 2:
            r.assign(beta_2 * r + (1 - beta_2) * tf.reduce_mean(grad_square, axis=-1))
            c.assign(beta_2 * c + (1 - beta_2) * tf.reduce_mean(grad_square, axis=-2))
            row_share = r / tf.reduce_mean(r, axis=-1, keepdims=True)
            v.assign(tf.expand_dims(row_share, -1) * tf.expand_dims(c, -2))
        else:
            v.assign(beta_2 * v + (1 - beta_2) * grad_square)
        update = gradient * tf.math.rsqrt(v)
        update /= tf.maximum(tf.cast(1.0, dtype), _rms(update) / self.clip_threshold)
        variable.assign_add(-alpha * update)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "learning_rate": self._serialize_hyperparameter(self._learning_rate),
                "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1,
                "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold,
                "relative_step": self.relative_step,
            }
        )
        return config
