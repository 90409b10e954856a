"""Legacy `Adamax`: Adam with the infinity norm in place of the second moment.

Mirrors tf_keras `optimizers/legacy/adamax.py`. Slots, in order: `m` for every
variable, then `v` for every variable:

    t = iterations + 1
    m <- beta_1 * m + (1 - beta_1) * g
    v <- max(beta_2 * v, |g|)
    w <- w - lr / (1 - beta_1**t) * m / (v + epsilon)

Dense updates run TensorFlow's `ResourceApplyAdaMax`; sparse ones update only
the gradient's rows of `m`, `v` and the variable, as tf_keras does.

>>> import tensorflow as tf
>>> opt = Adamax(learning_rate=0.1)
>>> var = tf.Variable(1.0, name="w")
>>> _ = opt.apply_gradients([(tf.constant(2.0), var)])
>>> round(float(var.numpy()), 5)
0.9
"""

import tensorflow as tf

from kengine import backend
from kengine.optimizers.legacy.optimizer_v2 import OptimizerV2

__all__ = ["Adamax"]


class Adamax(OptimizerV2):
    """Adamax of the Keras 2.x optimizer family (Kingma & Ba, 2014, section 7).

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        beta_1: decay rate of the first-moment estimate.
        beta_2: decay rate of the weighted infinity norm.
        epsilon: small constant for numerical stability.
        name: the optimizer's name.
        **kwargs: `clipnorm`, `clipvalue`, `global_clipnorm`, `decay`, `lr`.
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-07,
        name="Adamax",
        **kwargs,
    ):
        super().__init__(name, **kwargs)
        self._init_learning_rate(learning_rate, kwargs)
        self._set_hyper("beta_1", beta_1)
        self._set_hyper("beta_2", beta_2)
        self.epsilon = epsilon or backend.epsilon()

    def _create_slots(self, var_list) -> None:
        for name in ("m", "v"):
            for var in var_list:
                self.add_slot(var, name)

    def _prepare_local(self, dtype, coefficients: dict) -> None:
        super()._prepare_local(dtype, coefficients)
        step = tf.cast(self.iterations + 1, dtype)
        beta_1 = tf.identity(self._get_hyper("beta_1", dtype))
        beta_1_power = tf.pow(beta_1, step)
        coefficients.update(
            neg_scaled_lr=-coefficients["lr_t"] / (1 - beta_1_power),
            epsilon=tf.convert_to_tensor(self.epsilon, dtype),
            beta_1_t=beta_1,
            beta_1_power=beta_1_power,
            one_minus_beta_1_t=1 - beta_1,
            beta_2_t=tf.identity(self._get_hyper("beta_2", dtype)),
        )

    def _resource_apply_dense(self, grad, var, coefficients):
        return tf.raw_ops.ResourceApplyAdaMax(
            var=var.handle,
            m=self.get_slot(var, "m").handle,
            v=self.get_slot(var, "v").handle,
            beta1_power=coefficients["beta_1_power"],
            lr=coefficients["lr_t"],
            beta1=coefficients["beta_1_t"],
            beta2=coefficients["beta_2_t"],
            epsilon=coefficients["epsilon"],
            grad=grad,
        )

    def _resource_apply_sparse(self, grad, var, indices, coefficients):
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        m_rows = (
            tf.gather(m, indices) * coefficients["beta_1_t"]
            + grad * coefficients["one_minus_beta_1_t"]
        )
        m.scatter_update(tf.IndexedSlices(m_rows, indices))
        v_rows = tf.maximum(
            tf.gather(v, indices) * coefficients["beta_2_t"], tf.abs(grad)
        )
        v.scatter_update(tf.IndexedSlices(v_rows, indices))
        step = coefficients["neg_scaled_lr"] * (
            m_rows / (v_rows + coefficients["epsilon"])
        )
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
