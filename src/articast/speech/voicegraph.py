"""A Piper voice's graph rewritten to run faster on the CPU, with the same arithmetic.

A Piper voice (VITS) spends most of its time in the 1-D convolutions of its HiFi-GAN decoder: 73%
of the joe voice's run time, measured with onnxruntime's profiler. onnxruntime runs a 1-D
convolution through im2col and a matrix product. Written as a 2-D convolution of height 1 (the
weights gain an axis of length 1, the input is unsqueezed before and squeezed after), the same
sums run through its blocked NCHWc kernels when the session is optimised at ORT_ENABLE_ALL.

Measured on the joe voice (2 cores, one onnxruntime thread per process, both cores busy as in
produce): 9-11% less CPU time per second of speech. The output is the same audio to within float
rounding: 97 dB signal-to-difference with the model's noise off, every convolution rewritten.

The rewrite needs the ``onnx`` package; where it is missing or the graph is not as expected the
voice runs as it is.
"""

from __future__ import annotations

from pathlib import Path

VERSION = "conv2d-1"
"""Part of the optimised voice's identity in the cache: change it when the rewrite changes."""

_AXIS = "articast_conv_axis2"
_SPATIAL_ONE = ("kernel_shape", "dilations", "strides")


def conv1d_as_conv2d(model: Path) -> tuple[bytes, int]:
    """The voice at ``model`` with every 1-D Conv and ConvTranspose written as 2-D; and how many there were.

    Only convolutions whose weights are stored in the model (3-D initializers) are rewritten; any
    other node is left as it is.
    """
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    graph_model = onnx.load(str(model))
    graph = graph_model.graph
    weights = {init.name: init for init in graph.initializer}
    consumers: dict[str, int] = {}
    for node in graph.node:
        for name in node.input:
            consumers[name] = consumers.get(name, 0) + 1
    opset = next((o.version for o in graph_model.opset_import if o.domain in ("", "ai.onnx")), 0)
    # Unsqueeze and Squeeze take their axes as an input from opset 13, as an attribute before.
    axes_as_input = opset >= 13

    def reshape(op: str, source: str, target: str, name: str):
        if axes_as_input:
            return helper.make_node(op, [source, _AXIS], [target], name=name)
        return helper.make_node(op, [source], [target], name=name, axes=[2])

    nodes, rewritten = [], 0
    for node in graph.node:
        is_conv = node.op_type in ("Conv", "ConvTranspose") and len(node.input) > 1
        weight = weights.get(node.input[1]) if is_conv else None
        if weight is None or len(weight.dims) != 3 or consumers.get(weight.name, 0) != 1:
            nodes.append(node)
            continue
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            nodes.append(node)
            continue
        lifted = {}
        for key, value in attrs.items():
            if key in _SPATIAL_ONE:
                lifted[key] = [1, *value]
            elif key == "output_padding":
                lifted[key] = [0, *value]
            elif key == "output_shape":
                lifted[key] = [1, *value]
            elif key == "pads":
                lifted[key] = [0, value[0], 0, value[1]]
            else:
                lifted[key] = value
        # An axis of length 1 leaves row-major data as it is: only the shape changes, no copy.
        weight.dims.insert(2, 1)
        x4, y4 = f"{node.input[0]}__2d__{rewritten}", f"{node.output[0]}__2d"
        name = node.name or f"{node.op_type}_{rewritten}"
        nodes.append(reshape("Unsqueeze", node.input[0], x4, f"{name}__unsqueeze"))
        nodes.append(helper.make_node(node.op_type, [x4, *node.input[1:]], [y4], name=node.name, **lifted))
        nodes.append(reshape("Squeeze", y4, node.output[0], f"{name}__squeeze"))
        rewritten += 1
    if rewritten and axes_as_input:
        graph.initializer.append(numpy_helper.from_array(np.array([2], dtype=np.int64), _AXIS))
    if rewritten:
        del graph.node[:]
        graph.node.extend(nodes)
    return graph_model.SerializeToString(), rewritten
