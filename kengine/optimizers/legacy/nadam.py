"""Legacy `Nadam`: Adam with Nesterov momentum and a momentum schedule.

Mirrors tf_keras `optimizers/legacy/nadam.py`. Weights, in order: `iter`,
`momentum_cache` (the running product of the momentum schedule), `m` for every
variable, then `v` for every variable. Here `decay` (default 0.004, also
accepted as `schedule_decay`) drives the momentum schedule, not the learning
rate, and learning-rate schedules are refused, as in Keras 2.x:

    t = iterations + 1
    mu_t = beta_1 * (1 - 0.5 * 0.96**(decay * t));  mu_next likewise at t + 1
    cache <- cache * mu_t
    m <- beta_1 * m + (1 - beta_1) * g;   v <- beta_2 * v + (1 - beta_2) * g**2
    m_bar = (1 - mu_t) * g / (1 - cache) + mu_next * m / (1 - cache * mu_next)
    w <- w - lr * m_bar / (sqrt(v / (1 - beta_2**t)) + epsilon)

>>> import tensorflow as tf
>>> opt = Nadam(learning_rate=0.1)
>>> var = tf.Variable(1.0, name="w")
>>> _ = opt.apply_gradients([(tf.constant(1.0), var)])
>>> [w.name for w in opt.weights]
['Nadam/iter:0', 'Nadam/momentum_cache:0', 'Nadam/w/m:0', 'Nadam/w/v:0']
"""

import tensorflow as tf

from kengine import backend
from kengine.optimizers.legacy.optimizer_v2 import OptimizerV2
from kengine.optimizers.schedules import learning_rate_schedule as schedules

__all__ = ["Nadam"]


class Nadam(OptimizerV2):
    """Nadam of the Keras 2.x optimizer family (Dozat, 2015).

    Args:
        learning_rate: float or callable (not a schedule). Defaults to 0.001.
        beta_1: decay rate of the first-moment estimate.
        beta_2: decay rate of the second-moment estimate.
        epsilon: small constant for numerical stability.
        name: the optimizer's name.
        **kwargs: `clipnorm`, `clipvalue`, `global_clipnorm`, `lr`, and
            `decay` / `schedule_decay` (the momentum schedule's decay).

    Raises:
        ValueError: if `learning_rate` is a `LearningRateSchedule`.
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-07,
        name="Nadam",
        **kwargs,
    ):
        # Keras 1 called the momentum schedule's decay `schedule_decay`.
        kwargs["decay"] = kwargs.pop("schedule_decay", 0.004)
        if isinstance(kwargs.get("lr", learning_rate), schedules.LearningRateSchedule):
            raise ValueError(
                "The Nadam optimizer does not support "
                "keras.optimizers.schedules.LearningRateSchedule as the learning rate."
            )
        super().__init__(name, **kwargs)
        self._init_learning_rate(learning_rate, kwargs)
        self._set_hyper("beta_1", beta_1)
        self._set_hyper("beta_2", beta_2)
        self.epsilon = epsilon or backend.epsilon()
        self._m_cache = None

    def _create_slots(self, var_list) -> None:
        if self._m_cache is None:
            self._m_cache = self.add_weight(
                "momentum_cache", dtype=var_list[0].dtype.base_dtype, initializer="ones"
            )
            self._weights.append(self._m_cache)
        for name in ("m", "v"):
            for var in var_list:
                self.add_slot(var, name)

    def _prepare(self, dtypes) -> dict:
        # Every dtype's schedule starts from the cache as it was before this step.
        self._m_cache_read = tf.identity(self._m_cache)
        return super()._prepare(dtypes)

    def _prepare_local(self, dtype, coefficients: dict) -> None:
        # No `super()`: `decay` shapes the momentum schedule, not the learning rate.
        lr = tf.identity(self._get_hyper("learning_rate", dtype))
        beta_1 = tf.identity(self._get_hyper("beta_1", dtype))
        beta_2 = tf.identity(self._get_hyper("beta_2", dtype))
        step = tf.cast(self.iterations + 1, dtype)
        next_step = tf.cast(self.iterations + 2, dtype)
        base = tf.cast(0.96, dtype)
        m_t = beta_1 * (1.0 - 0.5 * tf.pow(base, self._initial_decay * step))
        m_t_1 = beta_1 * (1.0 - 0.5 * tf.pow(base, self._initial_decay * next_step))
        schedule_new = tf.cast(self._m_cache_read, dtype) * m_t
        if dtype == self._m_cache.dtype:
            schedule_new = tf.identity(self._m_cache.assign(schedule_new))
        schedule_next = schedule_new * m_t_1
        coefficients.update(
            lr_t=lr,
            neg_lr_t=-lr,
            epsilon=tf.convert_to_tensor(self.epsilon, dtype),
            beta_1_t=beta_1,
            beta_2_t=beta_2,
            m_t=m_t,
            m_t_1=m_t_1,
            one_minus_beta_1_t=1 - beta_1,
            one_minus_beta_2_t=1 - beta_2,
            one_minus_m_t=1.0 - m_t,
            one_minus_m_schedule_new=1.0 - schedule_new,
            one_minus_m_schedule_next=1.0 - schedule_next,
            v_t_prime_denominator=1.0 - tf.pow(beta_2, step),
        )

    def _resource_apply_dense(self, grad, var, coefficients):
        c = coefficients
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        g_prime = grad / c["one_minus_m_schedule_new"]
        m_t = m.assign(c["beta_1_t"] * m + c["one_minus_beta_1_t"] * grad)
        m_t_prime = m_t / c["one_minus_m_schedule_next"]
        v_t = v.assign(c["beta_2_t"] * v + c["one_minus_beta_2_t"] * tf.square(grad))
        v_t_prime = v_t / c["v_t_prime_denominator"]
        m_t_bar = c["one_minus_m_t"] * g_prime + c["m_t_1"] * m_t_prime
        return var.assign(
            var - c["lr_t"] * m_t_bar / (tf.sqrt(v_t_prime) + c["epsilon"])
        )

    def _resource_apply_sparse(self, grad, var, indices, coefficients):
        c = coefficients
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        g_prime = grad / c["one_minus_m_schedule_new"]
        m.assign(m * c["beta_1_t"])
        m_t = m.scatter_add(tf.IndexedSlices(grad * c["one_minus_beta_1_t"], indices))
        m_t_prime = tf.gather(m_t, indices) / c["one_minus_m_schedule_next"]
        m_t_bar = c["one_minus_m_t"] * g_prime + c["m_t_1"] * m_t_prime
        v.assign(v * c["beta_2_t"])
        v_t = v.scatter_add(
            tf.IndexedSlices(grad * grad * c["one_minus_beta_2_t"], indices)
        )
        v_t_prime = tf.gather(v_t, indices) / c["v_t_prime_denominator"]
        step = c["neg_lr_t"] * m_t_bar / (tf.sqrt(v_t_prime) + c["epsilon"])
        return var.scatter_add(tf.IndexedSlices(step, indices))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "learning_rate": self._serialize_hyperparameter("learning_rate"),
            "decay": self._initial_decay,
            "beta_1": self._serialize_hyperparameter("beta_1"),
            "beta_2": self._serialize_hyperparameter("beta_2"),
            "epsilon": self.epsilon,
        }
