"""Goldens for the rest of the layer library, metrics, optimizers and `K.*`.

Writes into testdata/library_extra/ (run `python tools/make_testdata.py
library_extra`):

- `layers.json`, `layers/<id>.npz`: `Conv1DTranspose`, `Conv3DTranspose`,
  `DepthwiseConv1D`, `SeparableConv1D`, grouped `Conv3D`, `ConvLSTM1D/2D/3D`
  (outputs, gradients, weight names and shapes, configs), in the layout of the
  `layers_conv` area (`_extra_layers.py`);
- `metrics.json`, `metrics.npz`: `R2Score`, `F1Score`, `FBetaScore` and the IoU
  family over three batches, with and without sample weights
  (`_extra_metrics.py`);
- `optimizers.json`, `optimizers.npz`: `Ftrl`, `Lion`, `Adafactor` and the
  `optimizers.legacy` classes over several steps, with slot names and configs;
  `legacy_adam.h5`, `legacy_adam_data.npz`: a model saved by tf_keras with a
  legacy Adam (`_extra_optimizers.py`);
- `backend.json`, `backend.npz`: `K.*` functions on fixed inputs
  (`_extra_backend.py`).
"""

from pathlib import Path

from goldens import _extra_backend, _extra_layers, _extra_metrics, _extra_optimizers


def generate(out_dir: Path) -> None:
    """Writes every `library_extra` golden file into `out_dir`."""
    _extra_layers.generate(out_dir)
    _extra_metrics.generate(out_dir)
    _extra_optimizers.generate(out_dir)
    _extra_backend.generate(out_dir)
