# Generates the ONNX fixtures OnnxImporterTest reads, with the onnx Python package (Debian python3-onnx 1.12),
# so that they are written by ONNX's own serialiser, not by the code under test. CI has no python3-onnx: the
# generated files are committed; rerun this script (in this directory) to regenerate them.
import numpy as np
import onnx
from onnx import helper as h, TensorProto as TP, numpy_helper as nh

ML = [h.make_opsetid("", 13), h.make_opsetid("ai.onnx.ml", 1)]


def save(name, g, ops=None, meta=None, **kw):
    m = h.make_model(g, opset_imports=ops or [h.make_opsetid("", 13)])
    m.ir_version = 8
    for k, v in (meta or {}).items():
        e = m.metadata_props.add()
        e.key, e.value = k, v
    onnx.save_model(m, name + ".onnx", **kw)


def x(n):
    return h.make_tensor_value_info("x", TP.FLOAT, [None, n])


def y(k):
    return h.make_tensor_value_info("y", TP.FLOAT, [None, k])


W = np.arange(12, dtype=np.float32).reshape(4, 3) / 10 - 0.5


def mlp(name, width=4, domain="", ops=None, meta=None, **kw):
    relu = h.make_node("Relu", ["z"], ["r"], domain=domain)
    g = h.make_graph([h.make_node("MatMul", ["x", "W"], ["z"]), relu, h.make_node("Softmax", ["r"], ["y"])],
                     name, [x(width)], [y(3)], [nh.from_array(W, "W")])
    save(name, g, ops, meta, **kw)


mlp("mlp")                                                  # the control: imports
mlp("external", save_as_external_data=True, all_tensors_to_one_file=True, location="external.data",
    size_threshold=0)                                       # W stored in external.data
mlp("domain", domain="com.example", ops=[h.make_opsetid("", 13), h.make_opsetid("com.example", 1)])
mlp("opset99", ops=[h.make_opsetid("", 99)])
mlp("wide", width=6)                                        # declares 6 features, W takes 4
mlp("dupfeat", meta={"edgeloop.features": "a,a,b,c"})
mlp("emptyfeat", meta={"edgeloop.features": "a,,b,c"})
mlp("dupclass", meta={"edgeloop.classes": "no,yes,no"})

STUMP = dict(nodes_treeids=[0, 0, 0], nodes_nodeids=[0, 1, 2], nodes_featureids=[1, 0, 0],
             nodes_values=[0.5, 0, 0], nodes_modes=["BRANCH_LEQ", "LEAF", "LEAF"], nodes_truenodeids=[1, 0, 0],
             nodes_falsenodeids=[2, 0, 0], class_treeids=[0, 0], class_nodeids=[1, 2], class_ids=[0, 1],
             class_weights=[1.0, 1.0])


def tree(name, ops=ML, **extra):
    a = dict(STUMP)
    a.update(extra)
    node = h.make_node("TreeEnsembleClassifier", ["x"], ["label", "probs"], domain="ai.onnx.ml", **a)
    lbl = TP.STRING if "classlabels_strings" in a and "classlabels_int64s" not in a else TP.INT64
    g = h.make_graph([node], name, [x(2)], [h.make_tensor_value_info("label", lbl, [None]),
                                            h.make_tensor_value_info("probs", TP.FLOAT, [None, 2])])
    save(name, g, ops)


tree("stump", classlabels_int64s=[0, 1])                    # the control: imports
tree("bothlabels", classlabels_int64s=[0, 1], classlabels_strings=["a", "b"])
tree("nolabels")
tree("duplabels", classlabels_strings=["a", "a"])
tree("missingtracks", classlabels_int64s=[0, 1], nodes_missing_value_tracks_true=[1, 0, 0])
tree("eqmode", classlabels_int64s=[0, 1], nodes_modes=["BRANCH_EQ", "LEAF", "LEAF"])
tree("ml5", ops=[h.make_opsetid("", 13), h.make_opsetid("ai.onnx.ml", 5)], classlabels_int64s=[0, 1])
a = dict(STUMP)
del a["nodes_values"]
a["classlabels_int64s"] = [0, 1]
a["nodes_values_as_tensor"] = nh.from_array(np.array([0.5, 0, 0], np.float64))
node = h.make_node("TreeEnsembleClassifier", ["x"], ["label", "probs"], domain="ai.onnx.ml", **a)
save("astensor", h.make_graph([node], "astensor", [x(2)], [h.make_tensor_value_info("label", TP.INT64, [None]),
                                                        h.make_tensor_value_info("probs", TP.FLOAT, [None, 2])]),
     [h.make_opsetid("", 13), h.make_opsetid("ai.onnx.ml", 3)])
