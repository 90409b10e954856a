"""`kengine.metrics`: Keras 2's metrics, and `get`/`serialize`/`deserialize`.

Re-exports the metric families (`base_metric`, `accuracy_metrics`,
`confusion_metrics`, `auc_metric`, `regression_metrics`, `r2_score`,
`probabilistic_metrics`, `hinge_metrics`, `iou_metrics`, `f_score_metrics`),
the lookup functions
(`serialization`) and the Keras 2 aliases (`acc`, `mse`, ...).
"""

from kengine.losses import binary_focal_crossentropy, categorical_focal_crossentropy
from kengine.metrics import (
    accuracy_metrics,
    auc_metric,
    base_metric,
    confusion_metrics,
    f_score_metrics,
    hinge_metrics,
    iou_metrics,
    probabilistic_metrics,
    r2_score,
    regression_metrics,
)
from kengine.metrics.accuracy_metrics import *  # noqa: F403
from kengine.metrics.auc_metric import *  # noqa: F403
from kengine.metrics.base_metric import *  # noqa: F403
from kengine.metrics.confusion_metrics import *  # noqa: F403
from kengine.metrics.f_score_metrics import *  # noqa: F403
from kengine.metrics.hinge_metrics import *  # noqa: F403
from kengine.metrics.iou_metrics import *  # noqa: F403
from kengine.metrics.probabilistic_metrics import *  # noqa: F403
from kengine.metrics.r2_score import *  # noqa: F403
from kengine.metrics.regression_metrics import *  # noqa: F403
from kengine.metrics.serialization import ALIASES, deserialize, get, serialize

acc = ACC = ALIASES["acc"]
bce = BCE = ALIASES["bce"]
mse = MSE = ALIASES["mse"]
mae = MAE = ALIASES["mae"]
mape = MAPE = ALIASES["mape"]
msle = MSLE = ALIASES["msle"]
kld = KLD = kullback_leibler_divergence = ALIASES["kld"]
logcosh = ALIASES["logcosh"]
cosine_proximity = ALIASES["cosine_proximity"]

__all__ = [
    *base_metric.__all__,
    *accuracy_metrics.__all__,
    *confusion_metrics.__all__,
    *auc_metric.__all__,
    *regression_metrics.__all__,
    *probabilistic_metrics.__all__,
    *hinge_metrics.__all__,
    *iou_metrics.__all__,
    *f_score_metrics.__all__,
    *r2_score.__all__,
    *ALIASES,
    "binary_focal_crossentropy",
    "categorical_focal_crossentropy",
    "get",
    "serialize",
    "deserialize",
]
