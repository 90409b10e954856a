"""`kengine.tools`: instruments for studying the engine on your own model.

`graph_dump` prints the layer/node graph, `trace_report` lists every trace of
the step functions with its cause, and `walkthrough` runs one training step by
hand naming the code of each stage. Each module runs as
`python -m kengine.tools.<name> module:function`, where the function returns a
model (`graph_dump`) or a compiled model and its data, `(model, x, y)`. These have no Keras 2 counterpart; they read the attributes Keras 2's
engine keeps (`_inbound_nodes`, `_keras_history`, ...).
"""
