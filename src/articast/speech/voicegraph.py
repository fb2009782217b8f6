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

A second pass (``decoder_kept_blocked``) works on the graph onnxruntime has optimised. onnxruntime
turns each convolution into a blocked one, but puts the tensor back into plain layout after it:
its NCHWc transformer does not carry the blocked layout through LeakyRelu, which the decoder uses
before every convolution, so every residual sum and activation ran in plain layout between two
reorders (9% of the run time in reorders, 6% in sums). Elementwise operations do not care about
layout, so the pass runs the decoder's LeakyRelu, sums and divisions on the blocked tensors and
folds each residual sum into the convolution before it. Measured on the joe voice (one thread):
reorders 1.7% of the run time instead of 9%, 6-9% less time per sentence, the same audio to
within float rounding (128 dB signal-to-difference with the model's noise off).
"""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any

VERSION = "parts-1"
"""Part of the optimised voice's identity in the cache: change it when the rewrite changes."""

_AXIS = "articast_conv_axis2"
_SPATIAL_ONE = ("kernel_shape", "dilations", "strides")


def without_weights(data: bytes | memoryview, location: str, min_bytes: int = 1024):
    """The ONNX model whose file holds ``data``, parsed without copying its weights of ``min_bytes``
    or more: each of those refers instead to where it lies in ``data`` (external data at
    ``location``, with its offset and length), for onnxruntime to be handed ``data`` itself.

    Parsing a voice whole copies its 63 MB of weights into the message, and handing a part of it to
    onnxruntime serialises them again (0.2 s of the 0.43 it took to prepare the voice). Here only
    the graph is parsed: the fields are walked at the protobuf wire level (ModelProto.graph is field
    7, GraphProto.initializer field 5, TensorProto.name 8 and raw_data 9), the weights' bytes left
    out and the lengths around them written again. Raises ValueError on anything it does not know.
    """
    import onnx

    buf = memoryview(data)
    places: dict[str, tuple[int, int]] = {}
    model = bytearray()
    for field, tag_at, start, end in _wire_fields(buf, 0, len(buf)):
        if field != (7, 2):
            model += buf[tag_at:end]
            continue
        graph = bytearray()
        for g_field, g_tag_at, g_start, g_end in _wire_fields(buf, start, end):
            if g_field != (5, 2) or g_end - g_start < min_bytes:
                graph += buf[g_tag_at:g_end]
                continue
            tensor, name, raw = bytearray(), None, None
            for t_field, t_tag_at, t_start, t_end in _wire_fields(buf, g_start, g_end):
                if t_field == (9, 2) and t_end - t_start >= min_bytes:
                    raw = (t_start, t_end - t_start)
                    continue
                if t_field == (8, 2):
                    name = bytes(buf[t_start:t_end]).decode("utf-8")
                tensor += buf[t_tag_at:t_end]
            if raw is None or name is None or name in places:
                graph += buf[g_tag_at:g_end]
                continue
            places[name] = raw
            graph += _wire_varint(5 << 3 | 2) + _wire_varint(len(tensor)) + tensor
        model += _wire_varint(7 << 3 | 2) + _wire_varint(len(graph)) + graph
    graph_model = onnx.ModelProto()
    graph_model.ParseFromString(bytes(model))
    for init in graph_model.graph.initializer:
        if init.name in places:
            offset, length = places[init.name]
            init.data_location = onnx.TensorProto.EXTERNAL
            for key, value in (("location", location), ("offset", str(offset)), ("length", str(length))):
                entry = init.external_data.add()
                entry.key, entry.value = key, value
    return graph_model


def _wire_fields(buf: memoryview, pos: int, end: int):
    """The fields of a protobuf message in ``buf[pos:end]``: ((number, wire type), where its tag
    starts, where its value starts, where it ends); the value of a length-delimited field is
    its payload."""
    while pos < end:
        tag_at = pos
        key, pos = _wire_read_varint(buf, pos)
        kind = key & 7
        if kind == 0:
            start, (_, pos) = pos, _wire_read_varint(buf, pos)
        elif kind in (1, 5):
            start, pos = pos, pos + (8 if kind == 1 else 4)
        elif kind == 2:
            length, start = _wire_read_varint(buf, pos)
            pos = start + length
        else:
            raise ValueError(f"protobuf wire type {kind} is not expected in an ONNX model")
        if pos > end:
            raise ValueError("a protobuf field runs past the end of its message")
        yield (key >> 3, kind), tag_at, start, pos


def _wire_read_varint(buf: memoryview, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("a protobuf varint runs past the end of the file")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError("a protobuf varint longer than 10 bytes")


def _wire_varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def conv1d_as_conv2d(model: Path) -> tuple[bytes, int]:
    """The voice at ``model`` with every 1-D Conv and ConvTranspose written as 2-D; and how many there were."""
    import onnx

    graph_model = onnx.load(str(model))
    rewritten = lift_convolutions(graph_model)
    return graph_model.SerializeToString(), rewritten


def lift_convolutions(graph_model) -> int:
    """Write every 1-D Conv and ConvTranspose of ``graph_model`` (changed in place) as 2-D; how many.

    Only convolutions whose weights are stored in the model (3-D initializers) are rewritten; any
    other node is left as it is.
    """
    import numpy as np
    from onnx import helper, numpy_helper

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
        lifted: dict[str, Any] = {}
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
    return rewritten


OPTIMISED_PARTS = ("/flow/", "/dec/")
"""The parts of a Piper voice worth optimising for the CPU: its flow and its decoder.

They hold 361 of the joe voice's 2,755 nodes but nearly all of its run time (the decoder alone
73%). The rest (the text encoder and the duration predictor, which run once per phoneme, not per
audio frame) runs as fast left as it is: 0.4102 s for a sentence against 0.4087 with everything
optimised (min of eight). onnxruntime optimises the two parts alone in 0.14 s, the whole voice
in 0.45-0.5 s: the time a fresh cache waits for its prepared voice."""


def split_for_optimising(graph_model, parts: tuple[str, ...] = OPTIMISED_PARTS):
    """(the nodes of ``graph_model`` outside ``parts``, a model of the nodes inside them), or None
    when the graph has no such parts.

    A node belongs to the parts when its name starts with one of them or it reads what they make.
    The model of the parts takes what they read from the rest as inputs (float tensors, as in every
    Piper voice: any other type fails to load, and the voice is then optimised whole).
    """
    from onnx import TensorProto, helper

    graph = graph_model.graph
    inside, made_inside = [], set()
    outside = []
    for node in graph.node:
        if node.name.startswith(parts) or any(name in made_inside for name in node.input):
            inside.append(node)
            made_inside.update(node.output)
        else:
            outside.append(node)
    if not inside or not outside:
        return None
    made_outside = {name for node in outside for name in node.output}
    graph_inputs = {value.name: value for value in graph.input}
    crossing = sorted({name for node in inside for name in node.input if name in made_outside or name in graph_inputs})
    read_inside = {name for node in inside for name in node.input}
    inputs = [graph_inputs.get(name) or helper.make_tensor_value_info(name, TensorProto.FLOAT, None)
              for name in crossing]
    part = helper.make_model(
        helper.make_graph(inside, "optimised part", inputs, list(graph.output),
                          [init for init in graph.initializer if init.name in read_inside]),
        opset_imports=list(graph_model.opset_import), ir_version=graph_model.ir_version)
    return outside, part


def join_parts(graph_model, outside: list, optimised) -> None:
    """``graph_model`` (changed in place) made of the nodes ``outside`` the optimised parts, as they
    were, and the ``optimised`` model of those parts, whose weights stay where they are (its own
    file); a weight both read keeps one copy, the original's."""
    graph = graph_model.graph
    names_outside = {name for node in outside for name in node.output}
    clash = names_outside.intersection(name for node in optimised.graph.node for name in node.output)
    if clash:
        raise ValueError(f"the optimised part makes tensors the rest makes too: {sorted(clash)[:3]}")
    read_outside = {name for node in outside for name in node.input}
    kept = [init for init in graph.initializer if init.name in read_outside]
    kept_names = {init.name for init in kept}
    added = [init for init in optimised.graph.initializer if init.name not in kept_names]
    del graph.node[:]
    graph.node.extend([*outside, *optimised.graph.node])
    del graph.value_info[:]  # optional, and some of it describes tensors the optimised part renamed
    del graph.initializer[:]
    graph.initializer.extend([*kept, *added])
    domains = {entry.domain for entry in graph_model.opset_import}
    graph_model.opset_import.extend(entry for entry in optimised.opset_import if entry.domain not in domains)


BLOCKED_DOMAIN = "com.microsoft.nchwc"
"""onnxruntime's domain for its blocked-layout (NCHWc) operators, in a graph it has optimised."""

DECODER_PREFIX = "/dec/"
"""Where a Piper voice's HiFi-GAN decoder sits in its graph: node names start with this."""


def keep_decoder_blocked(graph_model) -> int:
    """Rewrite the graph onnxruntime optimised (an ``onnx.ModelProto``, changed in place) so that its
    decoder stays in blocked layout; returns how many of the decoder's operations now run on blocked
    tensors (0: nothing changed).

    Only nodes under DECODER_PREFIX are touched, and only LeakyRelu, Add (between tensors of the same
    number of channels, each coming from a convolution) and Div by a constant scalar: operations
    for which the layout makes no difference. Each gets a twin that runs on the blocked tensors;
    where the plain tensor is still needed (the transposed convolutions, which have no blocked
    kernel), it is reordered from the twin. A sum whose one side is a convolution read nowhere else
    becomes that convolution's accumulating input, and a LeakyRelu after such a convolution its
    fused activation, as onnxruntime does itself for Relu.
    """
    return _BlockedDecoder(graph_model.graph).run()


class _BlockedDecoder:
    def __init__(self, graph) -> None:
        from onnx import numpy_helper

        self.graph = graph
        self.weights = {init.name: init for init in graph.initializer}
        self.constants = numpy_helper.to_array
        self.producer = {out: node for node in graph.node for out in node.output}
        self.blocked: dict[str, tuple[str, int]] = {}  # plain tensor -> (its blocked twin, channels)
        self.twinned: dict[str, Any] = {}  # plain tensor -> the node that made it (an onnx NodeProto)
        self.squeeze_axes: list[str] | None = None
        self.count = 0

    def _axis_is_2(self, node) -> bool:
        from onnx import helper

        if node.op_type not in ("Squeeze", "Unsqueeze"):
            return False
        if len(node.input) > 1:
            axes = self.weights.get(node.input[1])
            return axes is not None and self.constants(axes).ravel().tolist() == [2]
        return any(a.name == "axes" and list(helper.get_attribute_value(a)) == [2] for a in node.attribute)

    def _fresh(self, base: str) -> str:
        self.count += 1
        return f"{base}__blocked{self.count}"

    def _source(self, name: str, added: list) -> tuple[str, int] | None:
        """The blocked twin of a plain tensor: known, or (for a transposed convolution's output) made."""
        from onnx import helper

        if name in self.blocked:
            return self.blocked[name]
        squeeze = self.producer.get(name)
        if squeeze is None or squeeze.op_type != "Squeeze" or not self._axis_is_2(squeeze):
            return None
        conv = self.producer.get(squeeze.input[0])
        if conv is None or conv.op_type != "ConvTranspose" or conv.input[1] not in self.weights:
            return None
        group = next((helper.get_attribute_value(a) for a in conv.attribute if a.name == "group"), 1)
        channels = self.weights[conv.input[1]].dims[1] * group
        twin = self._fresh(name)
        added.append(helper.make_node("ReorderInput", [squeeze.input[0]], [twin], name=self._fresh("ReorderInput"),
                                      domain=BLOCKED_DOMAIN))
        self.blocked[name] = (twin, channels)
        return self.blocked[name]

    def run(self) -> int:
        from onnx import helper

        graph = self.graph
        consumers = collections.defaultdict(list)
        for node in graph.node:
            for name in node.input:
                consumers[name].append(node)
        # Every blocked convolution's output, as the plain tensor onnxruntime made of it.
        for node in graph.node:
            if node.domain == BLOCKED_DOMAIN and node.op_type == "ReorderOutput":
                attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
                if attrs.get("channels_last", 0) or "channels" not in attrs:
                    continue  # to channels-last layout (or a reorder this pass does not know)
                after = consumers[node.output[0]]
                if len(after) == 1 and after[0].op_type == "Squeeze" and self._axis_is_2(after[0]):
                    channels = attrs["channels"]
                    self.blocked[after[0].output[0]] = (node.input[0], channels)
                    if self.squeeze_axes is None:
                        self.squeeze_axes = list(after[0].input[1:])
        if self.squeeze_axes is None:
            return 0
        nodes: list = []
        for node in graph.node:
            nodes.append(node)
            if node.domain or not node.name.startswith(DECODER_PREFIX):
                continue
            twin_inputs = self._twin_inputs(node, nodes)
            if twin_inputs is None:
                continue
            inputs, channels = twin_inputs
            twin = self._fresh(node.output[0])
            nodes.append(helper.make_node(node.op_type, inputs, [twin], name=self._fresh(node.name),
                                          **{a.name: helper.get_attribute_value(a) for a in node.attribute}))
            self.blocked[node.output[0]] = (twin, channels)
            self.twinned[node.output[0]] = node
        if not self.twinned:
            return 0
        nodes = self._reorder_from_twins(nodes)
        nodes = self._drop_unused(self._skip_round_trips(nodes))
        nodes = self._drop_unused(self._fuse(nodes))
        del graph.node[:]
        graph.node.extend(self._in_order(nodes))
        return len(self.twinned)

    def _twin_inputs(self, node, added: list) -> tuple[list[str], int] | None:
        if node.op_type == "LeakyRelu":
            source = self._source(node.input[0], added)
            return ([source[0]], source[1]) if source else None
        if node.op_type == "Div":
            divisor = self.weights.get(node.input[1])
            source = self.blocked.get(node.input[0])
            if source is None or divisor is None or self.constants(divisor).size != 1:
                return None
            return [source[0], node.input[1]], source[1]
        if node.op_type == "Add" and len(node.input) == 2:
            first, second = (self._source(name, added) for name in node.input)
            if first is None or second is None or first[1] != second[1]:
                return None
            return [first[0], second[0]], first[1]
        return None

    def _twinned(self, node: Any) -> bool:
        """Whether ``node`` made a tensor that has a blocked twin."""
        return bool(node.output) and self.twinned.get(node.output[0]) is node

    def _reorder_from_twins(self, nodes: list) -> list:
        """Each twinned node gives way to a reorder of its twin (dropped later where nothing reads it)."""
        from onnx import helper

        out = []
        for node in nodes:
            if self._twinned(node):
                twin, channels = self.blocked[node.output[0]]
                plain4d = self._fresh(node.output[0])
                axes: dict[str, Any] = {} if self.squeeze_axes else {"axes": [2]}
                out.append(helper.make_node("ReorderOutput", [twin], [plain4d], name=self._fresh("ReorderOutput"),
                                            domain=BLOCKED_DOMAIN, channels=channels, channels_last=0))
                out.append(helper.make_node("Squeeze", [plain4d, *(self.squeeze_axes or [])], [node.output[0]],
                                            name=self._fresh("Squeeze"),
                                            **axes))
            else:
                out.append(node)
        return out

    def _skip_round_trips(self, nodes: list) -> list:
        """ReorderInput(Unsqueeze(t)) where t has a twin reads the twin; Unsqueeze(Squeeze(x)) reads x."""
        producer = {out: node for node in nodes for out in node.output}
        rename = {}
        for node in nodes:
            before = producer.get(node.input[0]) if node.input else None
            if before is None:
                continue
            if node.domain == BLOCKED_DOMAIN and node.op_type == "ReorderInput":
                if before.op_type == "Unsqueeze" and self._axis_is_2(before) and before.input[0] in self.blocked:
                    rename[node.output[0]] = self.blocked[before.input[0]][0]
            elif node.op_type == "Unsqueeze" and self._axis_is_2(node):
                if before.op_type == "Squeeze" and self._axis_is_2(before):
                    rename[node.output[0]] = before.input[0]
        for node in nodes:
            for k, name in enumerate(node.input):
                while name in rename:
                    name = rename[name]
                node.input[k] = name
        return nodes

    def _drop_unused(self, nodes: list) -> list:
        """The nodes without those whose outputs nothing reads (and, in turn, what only they read)."""
        outputs = {o.name for o in self.graph.output}
        read = collections.Counter(name for node in nodes for name in node.input)
        producer = {out: node for node in nodes for out in node.output}

        def unused(node) -> bool:
            return not any(out in outputs or read[out] for out in node.output)

        gone: set[int] = set()
        work = [node for node in nodes if unused(node)]
        while work:
            node = work.pop()
            if id(node) in gone:
                continue
            gone.add(id(node))
            for name in node.input:
                read[name] -= 1
                before = producer.get(name)
                if before is not None and id(before) not in gone and unused(before):
                    work.append(before)
        return [node for node in nodes if id(node) not in gone]

    def _fuse(self, nodes: list) -> list:
        """A twin sum into the convolution on one side (its accumulating input); a twin LeakyRelu into
        the convolution before it (its activation); each only where that convolution's output is read
        nowhere else, and has no activation already."""
        from onnx import helper

        def blocked_conv(name: str, producer: dict, read: collections.Counter):
            conv = producer.get(name)
            if (conv is None or conv.domain != BLOCKED_DOMAIN or conv.op_type != "Conv" or read[name] != 1
                    or any(a.name == "activation" for a in conv.attribute)):
                return None
            return conv

        twins = {self.blocked[name][0] for name in self.twinned}
        for kind in ("Add", "LeakyRelu"):
            producer = {out: node for node in nodes for out in node.output}
            read = collections.Counter(name for node in nodes for name in node.input)
            gone = set()
            for node in nodes:
                if node.op_type != kind or node.domain or node.output[0] not in twins:
                    continue
                for side in range(len(node.input) if kind == "Add" else 1):
                    conv = blocked_conv(node.input[side], producer, read)
                    if conv is None or (kind == "Add" and len(conv.input) >= 4):
                        continue
                    if kind == "Add":
                        inputs = [*conv.input, *[""] * (3 - len(conv.input)), node.input[1 - side]]
                        del conv.input[:]
                        conv.input.extend(inputs)
                    else:
                        alpha = next((helper.get_attribute_value(a) for a in node.attribute if a.name == "alpha"), 0.01)
                        conv.attribute.extend([helper.make_attribute("activation", "LeakyRelu"),
                                               helper.make_attribute("activation_params", [alpha])])
                    conv.output[0] = node.output[0]
                    gone.add(id(node))
                    break
            nodes = [n for n in nodes if id(n) not in gone]
        return nodes

    def _in_order(self, nodes: list) -> list:
        """The nodes in an order where each comes after what it reads (onnxruntime requires it)."""
        ready = {i.name for i in self.graph.input} | set(self.weights) | {""}
        ordered, waiting = [], nodes
        while waiting:
            still = []
            for node in waiting:
                if all(name in ready for name in node.input):
                    ordered.append(node)
                    ready.update(node.output)
                else:
                    still.append(node)
            if len(still) == len(waiting):
                raise ValueError("the rewritten decoder has a cycle")
            waiting = still
        return ordered
