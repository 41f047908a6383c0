"""Int8 weights, per-sentence arithmetic: the shipped event classifier's ONNX form.

`onnxruntime.quantization.quantize_dynamic` stores the encoder's weights as int8 and also quantizes
each MatMul's *input* at run time (DynamicQuantizeLinear -> MatMulInteger). That second step makes
the scores depend on things they should not: the input's scale is taken over the whole batch, so a
sentence scores differently alone and in a batch (up to 0.23 on realnews-dev sentences), and CPUs
with and without AVX-512 VNNI compute the int8 products differently (one machine called a protest
march "no event" at 0.90 where another called it PROTEST). `float_compute` keeps the int8 weights
(so the file stays a quarter of the float size) and replaces each integer MatMul by a MatMul on the
dequantized weights. onnxruntime fuses each such pair into one MatMulNBits kernel; at the accuracy
level `classifier.py` pins (4) it multiplies in int8 with each row's activations quantized on their
own, so a sentence scores the same alone or batched. That other CPUs give bit-identical scores is
not established: it was checked on one machine.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path


def float_compute(src: str | Path, dst: str | Path) -> dict[str, int]:
    """Rewrite a dynamically quantized model at `src` into `dst`; returns {op type: count} of the result."""
    import onnx
    from onnx import helper

    model = onnx.load(str(src))
    graph = model.graph
    consumers: dict[str, list] = defaultdict(list)
    for node in graph.node:
        for name in node.input:
            consumers[name].append(node)
    producer = {out: node for node in graph.node for out in node.output}
    initializers = {init.name: init for init in graph.initializer}

    replaced: dict[int, list] = {}
    dropped: set[int] = set()
    for node in graph.node:
        if node.op_type != "MatMulInteger":
            continue
        x_q, w_q, _x_zero, w_zero = node.input
        quantize = producer[x_q]
        (cast,) = consumers[node.output[0]]
        (rescale,) = consumers[cast.output[0]]
        if quantize.op_type != "DynamicQuantizeLinear" or cast.op_type != "Cast" or rescale.op_type != "Mul":
            raise ValueError(f"unexpected quantized pattern at {node.name}")
        scale_product = producer[next(i for i in rescale.input if i != cast.output[0])]
        w_scale = next(i for i in scale_product.input if i in initializers)
        per_channel = len(initializers[w_scale].dims) == 1
        weights = w_q + "_dequantized"
        replaced[id(node)] = [
            helper.make_node("DequantizeLinear", [w_q, w_scale, w_zero], [weights], name=weights,
                             **({"axis": 1} if per_channel else {})),
            helper.make_node("MatMul", [quantize.input[0], weights], [rescale.output[0]], name=node.name + "_float"),
        ]
        dropped |= {id(cast), id(rescale)}

    nodes = []
    for node in graph.node:
        if id(node) in replaced:
            nodes.extend(replaced[id(node)])
        elif id(node) not in dropped:
            nodes.append(node)
    # the activation quantizers and scale products are now unused: drop what nothing reads
    while True:
        read = {name for node in nodes for name in node.input} | {out.name for out in graph.output}
        kept = [node for node in nodes if any(out in read for out in node.output)]
        if len(kept) == len(nodes):
            break
        nodes = kept
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, str(dst))
    counts: dict[str, int] = defaultdict(int)
    for node in nodes:
        counts[node.op_type] += 1
    return dict(counts)
