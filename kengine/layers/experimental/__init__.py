"""`keras.layers.experimental`: the namespace older Keras 2 code imports; re-exports only."""

from kengine.layers.experimental import preprocessing
