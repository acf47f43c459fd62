"""Stage 4b: store a model's matrix weights as int8 (weight-only, per output channel).

Usage: quantize.py MODEL_DIR. Rewrites MODEL_DIR/model.onnx in place and updates the SHA-256 in
MODEL_DIR/model.json. Each MatMul weight W [K, N] becomes int8 with one scale per output column
(symmetric, scale = max|W[:, n]| / 127), turned back into float in the graph by Cast and Mul: the
file is about a quarter of the size and the activations stay float. Not DequantizeLinear: from
DequantizeLinear -> MatMul onnxruntime builds int8 kernels by default (sherpa-onnx's sessions did,
and 41 of 951 evaluation utterances came out with other tokens than Earshot's); Cast and Mul on
initializers are folded into the same float weights by every runtime. A model quantized with
DequantizeLinear by an earlier recipe is rewritten to Cast and Mul, weights unchanged.
"""
import argparse, hashlib, json, os
import numpy as np
import onnx
from onnx import helper, numpy_helper


def quantize_matmul_weights(model: onnx.ModelProto) -> int:
    inits = {t.name: t for t in model.graph.initializer}
    consumers = {}
    for node in model.graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    done, new_nodes = 0, []
    for node in model.graph.node:
        w_name = node.input[1] if node.op_type == "MatMul" and len(node.input) == 2 else None
        w = inits.get(w_name)
        if w is None or w.data_type != onnx.TensorProto.FLOAT or len(w.dims) != 2 or \
                any(c.op_type != "MatMul" for c in consumers[w_name]):
            continue
        values = numpy_helper.to_array(w)
        scale = np.maximum(np.abs(values).max(axis=0), 1e-12) / 127.0
        q = np.clip(np.round(values / scale), -127, 127).astype(np.int8)
        model.graph.initializer.remove(w)
        model.graph.initializer.extend([numpy_helper.from_array(q, w_name + "_int8"),
                                        numpy_helper.from_array(scale.astype(np.float32), w_name + "_scale")])
        new_nodes += dequantize_nodes(w_name)
        del inits[w_name]
        done += 1
    # Dequantize nodes first: they only read initializers, so the graph stays topologically sorted.
    nodes = new_nodes + list(model.graph.node)
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    return done


def dequantize_nodes(w_name: str) -> list[onnx.NodeProto]:
    """W = float(W_int8) * W_scale, the scale [N] broadcast over the columns."""
    return [helper.make_node("Cast", [w_name + "_int8"], [w_name + "_float"], to=onnx.TensorProto.FLOAT,
                             name=w_name + "_cast"),
            helper.make_node("Mul", [w_name + "_float", w_name + "_scale"], [w_name], name=w_name + "_dequantize")]


def rewrite_dequantize_linear(model: onnx.ModelProto) -> int:
    """An earlier recipe's DequantizeLinear(W_int8, W_scale, zero, axis=1) as Cast and Mul."""
    inits = {t.name: t for t in model.graph.initializer}
    nodes, done = [], 0
    for node in model.graph.node:
        zero = inits.get(node.input[2]) if node.op_type == "DequantizeLinear" and len(node.input) == 3 else None
        w_name = node.output[0]
        if zero is None or node.input[0] != w_name + "_int8" or node.input[1] != w_name + "_scale" or \
                numpy_helper.to_array(zero).any():
            nodes.append(node)
            continue
        nodes += dequantize_nodes(w_name)
        model.graph.initializer.remove(zero)
        done += 1
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    return done


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    args = ap.parse_args()
    path = os.path.join(args.model_dir, "model.onnx")
    model = onnx.load(path)
    before = os.path.getsize(path)
    n = quantize_matmul_weights(model)
    rewritten = rewrite_dequantize_linear(model)
    onnx.checker.check_model(model)
    onnx.save(model, path)
    manifest_path = os.path.join(args.model_dir, "model.json")
    manifest = json.load(open(manifest_path))
    manifest["files"]["model.onnx"] = hashlib.sha256(open(path, "rb").read()).hexdigest()
    manifest["weights"] = "int8 per output channel (MatMul), float32 elsewhere; activations float32"
    json.dump(manifest, open(manifest_path, "w"), indent=2)
    print(f"quantize: {n} MatMul weights to int8, {rewritten} DequantizeLinear rewritten, "
          f"{before / 1e6:.1f} MB -> {os.path.getsize(path) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
