"""Legacy `SGD`: gradient descent with optional (Nesterov) momentum, Keras 2.x style.

Mirrors tf_keras `optimizers/legacy/gradient_descent.py`. With momentum it keeps
one `momentum` slot per variable (`SGD/dense/kernel/momentum:0`):

    velocity <- momentum * velocity - lr * g
    w <- w + velocity                                  (plain)
    w <- w + momentum * velocity - lr * g              (nesterov)

Sparse gradients update only the rows they touch (TensorFlow's
`ResourceSparseApplyKerasMomentum`, or a scatter-add without momentum).

>>> import tensorflow as tf
>>> var = tf.Variable(1.0)
>>> opt = SGD(learning_rate=0.1, momentum=0.9)
>>> for _ in range(2):
...     _ = opt.apply_gradients([(tf.constant(1.0), var)])
>>> round(float(var.numpy()), 6)   # 1 - 0.1 - (0.9 * 0.1 + 0.1)
0.71
"""

import tensorflow as tf

from kengine.optimizers.legacy.optimizer_v2 import OptimizerV2

__all__ = ["SGD"]


class SGD(OptimizerV2):
    """Gradient descent (with momentum) of the Keras 2.x optimizer family.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.01.
        momentum: float in [0, 1]; 0 means plain gradient descent.
        nesterov: use Nesterov momentum.
        name: the optimizer's name.
        **kwargs: `clipnorm`, `clipvalue`, `global_clipnorm`, `decay`, `lr`.

    Raises:
        ValueError: if `momentum` is outside [0, 1].
    """

    def __init__(
        self, learning_rate=0.01, momentum=0.0, nesterov=False, name="SGD", **kwargs
    ):
        super().__init__(name, **kwargs)
        self._init_learning_rate(learning_rate, kwargs)
        self._momentum = (
            isinstance(momentum, tf.Tensor) or callable(momentum) or momentum > 0
        )
        if isinstance(momentum, int | float) and not 0 <= momentum <= 1:
            raise ValueError(
                "`momentum` must be between [0, 1]. Received: "
                f"momentum={momentum} (of type {type(momentum)})."
            )
        self._set_hyper("momentum", momentum)
        self.nesterov = nesterov

    def _create_slots(self, var_list) -> None:
        if self._momentum:
            for var in var_list:
                self.add_slot(var, "momentum")

    def _prepare_local(self, dtype, coefficients: dict) -> None:
        super()._prepare_local(dtype, coefficients)
        coefficients["momentum"] = tf.identity(self._get_hyper("momentum", dtype))

    def _resource_apply_dense(self, grad, var, coefficients):
        if not self._momentum:
            return tf.raw_ops.ResourceApplyGradientDescent(
                var=var.handle, alpha=coefficients["lr_t"], delta=grad
            )
        return tf.raw_ops.ResourceApplyKerasMomentum(
            var=var.handle,
            accum=self.get_slot(var, "momentum").handle,
            lr=coefficients["lr_t"],
            grad=grad,
            momentum=coefficients["momentum"],
            use_nesterov=self.nesterov,
        )

    def _resource_apply_sparse_duplicate_indices(
        self, grad, var, indices, coefficients
    ):
        if self._momentum:
            return super()._resource_apply_sparse_duplicate_indices(
                grad, var, indices, coefficients
            )
        # A scatter-add sums repeated rows by itself.
        return tf.raw_ops.ResourceScatterAdd(
            resource=var.handle, indices=indices, updates=-grad * coefficients["lr_t"]
        )

    def _resource_apply_sparse(self, grad, var, indices, coefficients):
        return tf.raw_ops.ResourceSparseApplyKerasMomentum(
            var=var.handle,
            accum=self.get_slot(var, "momentum").handle,
            lr=coefficients["lr_t"],
            grad=grad,
            indices=indices,
            momentum=coefficients["momentum"],
            use_nesterov=self.nesterov,
        )

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "learning_rate": self._serialize_hyperparameter("learning_rate"),
            "decay": self._initial_decay,
            "momentum": self._serialize_hyperparameter("momentum"),
            "nesterov": self.nesterov,
        }
