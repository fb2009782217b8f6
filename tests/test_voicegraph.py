"""The voice's 1-D convolutions rewritten as 2-D ones: same output, on a small graph and on the real voice."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import TensorProto, helper, numpy_helper

from articast.speech import EngineOptions, prepared, voicegraph
from articast.speech import piper as piper_module
from articast.speech.voicegraph import conv1d_as_conv2d


def _session(model: bytes | str, level: str = "ORT_ENABLE_ALL") -> onnxruntime.InferenceSession:
    opts = onnxruntime.SessionOptions()
    opts.graph_optimization_level = getattr(onnxruntime.GraphOptimizationLevel, level)
    opts.intra_op_num_threads = 1
    return onnxruntime.InferenceSession(model, sess_options=opts, providers=["CPUExecutionProvider"])


_BLOCKED: list[bool] = []


def _blocked_kernels() -> bool:
    """Whether onnxruntime has blocked (NCHWc) convolution kernels on this CPU (x86-64 with AVX2 or
    AVX-512): only then does an optimised graph hold them, and only then can the decoder stay
    blocked. Elsewhere (ARM, for one) the prepared voice is the rewritten graph alone."""
    if not _BLOCKED:
        import tempfile

        weight = numpy_helper.from_array(np.ones((16, 16, 1, 3), dtype=np.float32), "w")
        graph = helper.make_graph([helper.make_node("Conv", ["x", "w"], ["y"], pads=[0, 1, 0, 1])], "probe",
                                  [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16, 1, None])],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [weight])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 8
        with tempfile.TemporaryDirectory() as tmp:
            opts = onnxruntime.SessionOptions()
            opts.optimized_model_filepath = str(os.path.join(tmp, "probe.onnx"))
            onnxruntime.InferenceSession(model.SerializeToString(), sess_options=opts,
                                         providers=["CPUExecutionProvider"])
            domains = {n.domain for n in onnx.load(opts.optimized_model_filepath).graph.node}
        _BLOCKED.append("com.microsoft.nchwc" in domains)
    return _BLOCKED[0]


def test_this_cpu_has_blocked_kernels_or_the_blocked_checks_are_left_out():
    # The checks of the blocked layout below run only where onnxruntime has those kernels. CI's
    # machine has them: there this test fails rather than let those checks go unrun.
    if not _blocked_kernels():
        if os.environ.get("CI"):
            pytest.fail("onnxruntime made no blocked (NCHWc) convolution on CI's CPU")
        pytest.skip("onnxruntime has no blocked (NCHWc) kernels on this CPU; CI always runs these checks")


def _conv_graph(tmp_path, opset: int):
    """Conv1d layers with every attribute the rewrite lifts: dilation, stride, pads, groups, a transposed conv."""
    rng = np.random.default_rng(5)
    channels = 16

    def weight(name, *shape):
        return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32) * 0.2, name)

    inits = [weight("w1", channels, channels, 7), weight("b1", channels),
             weight("w2", channels, channels // 4, 3),
             weight("w3", channels, channels // 2, 8), weight("b3", channels // 2),
             weight("w4", 1, channels // 2, 5)]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["a"], dilations=[3], pads=[9, 9], kernel_shape=[7]),
        helper.make_node("LeakyRelu", ["a"], ["a2"], alpha=0.1),
        helper.make_node("Conv", ["a2", "w2"], ["b"], group=4, strides=[2], pads=[1, 1]),
        helper.make_node("ConvTranspose", ["b", "w3", "b3"], ["c"], strides=[4], pads=[2, 2], output_padding=[1]),
        helper.make_node("Conv", ["c", "w4"], ["y"], pads=[3, 1]),
    ]
    graph = helper.make_graph(nodes, "convs", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, channels, None])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    path = tmp_path / f"convs-{opset}.onnx"
    onnx.save(model, str(path))
    return path


@pytest.mark.parametrize("opset", [11, 15])
def test_every_convolution_gives_the_same_output_as_two_d(tmp_path, opset):
    path = _conv_graph(tmp_path, opset)
    rewritten, count = conv1d_as_conv2d(path)
    assert count == 4
    kinds = [n.op_type for n in onnx.load_from_string(rewritten).graph.node]
    assert kinds.count("Unsqueeze") == 4 and kinds.count("Squeeze") == 4
    x = np.random.default_rng(1).standard_normal((1, 16, 301)).astype(np.float32)
    want = _session(str(path), "ORT_DISABLE_ALL").run(None, {"x": x})[0]
    got = _session(rewritten).run(None, {"x": x})[0]
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


@pytest.mark.slow
def test_the_rewritten_voice_speaks_the_same_audio():
    model, _ = piper_module.bundled_voice()
    rewritten, count = conv1d_as_conv2d(model)
    assert count >= 20  # the decoder's convolutions, at least
    assert _same_audio_as_the_voice(_session(rewritten), "Two dimensions, the same sound.") > 80  # dB


def _same_audio_as_the_voice(session: onnxruntime.InferenceSession, text: str) -> float:
    """How close (signal to difference, dB) ``session`` speaks ``text`` to the bundled voice as it
    is, with the model's noise off; above 80 dB the two differ by float rounding only."""
    from piper import PiperVoice, SynthesisConfig
    from piper.config import PiperConfig

    model, config_path = piper_module.bundled_voice()
    config = PiperConfig.from_dict(json.loads(config_path.read_text()))
    plain = PiperVoice(session=_session(str(model)), config=config)
    other = PiperVoice(session=session, config=config)
    quiet = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
    ids = plain.phonemes_to_ids(plain.phonemize(text)[0])
    want = plain.phoneme_ids_to_audio(ids, quiet)
    got = other.phoneme_ids_to_audio(ids, quiet)
    assert len(got) == len(want) > 10_000
    difference = np.sum((got - want) ** 2)
    return float(10 * np.log10(np.sum(want ** 2) / max(difference, 1e-30)))


@pytest.mark.slow
def test_the_optimised_voice_is_kept_and_a_damaged_copy_rebuilt(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path))
    model, _ = piper_module.bundled_voice()
    first, _ = prepared.load_session(model, 1)
    saved = prepared._optimized_path(model)
    assert saved.parent == tmp_path / "models" and saved.is_file()
    # The building session is let go (it holds far more memory): the worker runs the saved copy.
    assert first._model_path == str(saved)
    domains = {n.domain for n in _graph(saved).graph.node}
    assert ("com.microsoft.nchwc" in domains) == _blocked_kernels()  # optimised for this CPU's blocked convolutions
    built = saved.stat().st_mtime_ns
    prepared.load_session(model, 1)
    assert saved.stat().st_mtime_ns == built  # loaded, not built again
    weights = prepared._weights_path(saved)
    listing = prepared._voice_weights_path(saved)
    # The optimised flow and decoder keep their weights apart (35 MB); the rest (28 MB) stay in the
    # voice file, where the list says, and the graph holds none.
    assert weights.stat().st_size > 30_000_000 and saved.stat().st_size < 2_000_000
    _listed_where_the_voice_has_them(listing, model)
    past_the_end = {k: [model.stat().st_size - 4, *v[1:]] for k, v in json.loads(listing.read_text()).items()}
    for damage, bad in ((saved, b"not a model"), (weights, b"not weights"), (listing, b"[not a list"),
                        (listing, json.dumps(past_the_end))):
        damage.write_bytes(bad if isinstance(bad, bytes) else bad.encode())
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            session, _ = prepared.load_session(model, 1)
        assert "rebuilding" in caplog.text
        assert session.get_inputs()[0].name == "input"
        assert weights.stat().st_size > 30_000_000
        _listed_where_the_voice_has_them(listing, model)
        assert not list(tmp_path.glob("models/.*"))  # no temporary file left behind


def _graph(saved) -> onnx.ModelProto:
    """A prepared voice's graph, without its weights (some of which lie in the voice file)."""
    return onnx.load(str(saved), load_external_data=False)


def _listed_where_the_voice_has_them(listing, model) -> None:
    """The weights the prepared voice reads from the voice file are the voice's own, byte for byte,
    with their types and shapes: the text encoder's and the duration predictor's, 28 MB."""
    listed = json.loads(listing.read_text())
    own = {w.name: w for w in onnx.load(str(model)).graph.initializer}
    data = model.read_bytes()
    assert len(listed) > 50 and sum(length for _, length, _, _ in listed.values()) > 25_000_000
    for name, (offset, length, dtype, dims) in listed.items():
        want = numpy_helper.to_array(own[name])
        assert data[offset:offset + length] == own[name].raw_data
        assert (np.dtype(dtype), tuple(dims)) == (want.dtype, want.shape)


def _decoder_graph(tmp_path):
    """A small HiFi-GAN-like decoder, named as in a Piper voice: convolutions with LeakyRelu before
    them, a transposed convolution, residual sums, a division of the sum by a constant, and a sum
    with a per-channel constant (broadcast, which must stay as it is)."""
    rng = np.random.default_rng(7)
    c = 32

    def weight(name, *shape):
        return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32) * 0.15, name)

    inits = [weight("pre_w", c, c, 7), weight("pre_b", c), weight("up_w", c, c // 2, 8), weight("up_b", c // 2),
             weight("r0_w", c // 2, c // 2, 3), weight("r0_b", c // 2), weight("r1_w", c // 2, c // 2, 5),
             weight("r1_b", c // 2), weight("chan", 1, c // 2, 1), weight("post_w", 1, c // 2, 7),
             numpy_helper.from_array(np.array(2.0, dtype=np.float32), "two")]

    def node(op, inputs, output, name, **attrs):
        return helper.make_node(op, inputs, [output], name=f"/dec/{name}", **attrs)

    nodes = [
        node("Conv", ["x", "pre_w", "pre_b"], "pre", "conv_pre/Conv", pads=[3, 3], kernel_shape=[7]),
        node("LeakyRelu", ["pre"], "pre_act", "LeakyRelu", alpha=0.1),
        node("ConvTranspose", ["pre_act", "up_w", "up_b"], "up", "ups.0/ConvTranspose", strides=[4], pads=[2, 2]),
        node("LeakyRelu", ["up"], "up_act", "resblocks.0/LeakyRelu", alpha=0.1),
        node("Conv", ["up_act", "r0_w", "r0_b"], "r0", "resblocks.0/convs.0/Conv", pads=[1, 1], kernel_shape=[3]),
        node("Add", ["r0", "up"], "a0", "resblocks.0/Add"),
        node("LeakyRelu", ["a0"], "a0_act", "resblocks.0/LeakyRelu_1", alpha=0.1),
        node("Conv", ["a0_act", "r1_w", "r1_b"], "r1", "resblocks.0/convs.1/Conv", pads=[6, 6], kernel_shape=[5],
             dilations=[3]),
        node("Add", ["r1", "a0"], "a1", "resblocks.0/Add_1"),
        node("Add", ["a1", "r0"], "sum", "Add"),
        node("Div", ["sum", "two"], "mean", "Div"),
        node("Add", ["mean", "chan"], "shifted", "Add_1"),
        node("LeakyRelu", ["shifted"], "post_act", "LeakyRelu_1", alpha=0.01),
        node("Conv", ["post_act", "post_w"], "post", "conv_post/Conv", pads=[3, 3], kernel_shape=[7]),
        node("Tanh", ["post"], "y", "Tanh"),
    ]
    graph = helper.make_graph(nodes, "decoder", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, None])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    path = tmp_path / "decoder.onnx"
    onnx.save(model, str(path))
    return path


def test_the_decoder_kept_in_blocked_layout_gives_the_same_output(tmp_path):
    from articast.speech.voicegraph import BLOCKED_DOMAIN, keep_decoder_blocked

    path = _decoder_graph(tmp_path)
    optimised = tmp_path / "optimised.onnx"
    opts = onnxruntime.SessionOptions()
    opts.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.optimized_model_filepath = str(optimised)
    onnxruntime.InferenceSession(conv1d_as_conv2d(path)[0], sess_options=opts, providers=["CPUExecutionProvider"])
    graph_model = onnx.load(str(optimised))
    before = [n.op_type for n in graph_model.graph.node if n.domain == BLOCKED_DOMAIN]
    kept = keep_decoder_blocked(graph_model)
    if not _blocked_kernels():
        assert kept == 0 and not before  # no blocked convolutions: nothing to keep blocked
    else:
        # conv_pre's LeakyRelu, the resblock's two LeakyRelu and two sums, the sum with r0 and the
        # division; not the sum with the per-channel constant, nor anything after it.
        assert kept == 7
        nodes = graph_model.graph.node
        after = [n.op_type for n in nodes if n.domain == BLOCKED_DOMAIN]
        assert after.count("Conv") == before.count("Conv") == 4
        assert after.count("ReorderOutput") < before.count("ReorderOutput")
        fused = [n for n in nodes if n.domain == BLOCKED_DOMAIN and n.op_type == "Conv" and len(n.input) == 4]
        # r1 + a0 into r1's convolution; r0 is read twice and r1's convolution already sums, so the
        # other two stay sums (on blocked tensors).
        assert len(fused) == 1
        activations = [n for n in nodes if any(a.name == "activation" for a in n.attribute)]
        assert len(activations) == 1  # conv_pre's LeakyRelu
    x = np.random.default_rng(2).standard_normal((1, 32, 157)).astype(np.float32)
    want = _session(str(path), "ORT_DISABLE_ALL").run(None, {"x": x})[0]
    got = _session(graph_model.SerializeToString(), "ORT_DISABLE_ALL").run(None, {"x": x})[0]
    assert got.shape == want.shape == (1, 1, 628)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


@pytest.mark.slow
def test_the_prepared_voice_runs_its_decoder_blocked_and_speaks_the_same_audio(tmp_path, monkeypatch):
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path))
    model, _ = piper_module.bundled_voice()
    session, _ = prepared.load_session(model, 1)
    nodes = _graph(prepared._optimized_path(model)).graph.node
    blocked = [n for n in nodes if n.domain == "com.microsoft.nchwc"]
    if _blocked_kernels():
        fused = [n for n in blocked if n.op_type == "Conv" and len(n.input) == 4]
        assert len(fused) >= 9  # the decoder's residual sums
        assert sum(n.op_type == "ReorderOutput" for n in blocked) < sum(n.op_type == "Conv" for n in blocked)
    # Only the flow and the decoder were optimised: the rest is the voice's own graph, node for node.
    assert _outside_the_optimised_parts(nodes) == _outside_the_optimised_parts(onnx.load(str(model)).graph.node)
    assert not any(n.name.startswith(("/enc_p/", "/dp/")) for n in blocked)  # no blocked kernel outside them
    assert _same_audio_as_the_voice(session, "Blocked or plain, the same sound.") > 80  # dB: float rounding


def _outside_the_optimised_parts(nodes) -> list[tuple[str, str, tuple[str, ...]]]:
    return sorted((n.name, n.op_type, tuple(n.input)) for n in nodes
                  if n.name.startswith("/") and not n.name.startswith(voicegraph.OPTIMISED_PARTS))


@pytest.mark.slow
def test_a_voice_whose_parts_do_not_join_is_optimised_whole(tmp_path, monkeypatch):
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path))

    def broken(graph_model, outside, optimised):
        raise ValueError("the optimised part makes tensors the rest makes too")

    monkeypatch.setattr("articast.speech.voicegraph.join_parts", broken)
    model, _ = piper_module.bundled_voice()
    session, _ = prepared.load_session(model, 1)
    nodes = _graph(prepared._optimized_path(model)).graph.node
    # The text encoder was optimised too (its convolutions lifted), so it is no longer node for node.
    assert _outside_the_optimised_parts(nodes) != _outside_the_optimised_parts(onnx.load(str(model)).graph.node)
    assert any(n.name.startswith("/enc_p/") and n.name.endswith("__squeeze") for n in nodes)
    assert _same_audio_as_the_voice(session, "Whole or in parts, the same sound.") > 80  # dB


@pytest.mark.slow
def test_a_decoder_that_cannot_be_kept_blocked_leaves_onnxruntimes_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path))

    def broken(graph_model):
        del graph_model.graph.node[:5]  # half done when it fails
        raise ValueError("not a decoder I know")

    monkeypatch.setattr("articast.speech.voicegraph.keep_decoder_blocked", broken)
    model, _ = piper_module.bundled_voice()
    session, _ = prepared.load_session(model, 1)
    assert session._model_path == str(prepared._optimized_path(model))
    nodes = _graph(prepared._optimized_path(model)).graph.node
    assert not any(n.domain == "com.microsoft.nchwc" and n.op_type == "Conv" and len(n.input) == 4 for n in nodes)
    ids = np.array([[1, 20, 30, 40, 50, 2]], dtype=np.int64)
    audio = session.run(None, {"input": ids, "input_lengths": np.array([6], dtype=np.int64),
                               "scales": np.array([0.667, 1.0, 0.8], dtype=np.float32)})[0]
    assert audio.size > 1000


@pytest.mark.slow
def test_without_the_rewrite_the_voice_runs_as_it_is(tmp_path, monkeypatch):
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path))

    def broken(graph_model):
        raise ImportError("no onnx here")

    monkeypatch.setattr("articast.speech.voicegraph.lift_convolutions", broken)
    model, _ = piper_module.bundled_voice()
    session, _ = prepared.load_session(model, 1)
    assert session.get_inputs()[0].name == "input"
    saved = prepared._optimized_path(model)
    assert not any(n.op_type == "Squeeze" and n.name.endswith("__squeeze") for n in _graph(saved).graph.node)


@pytest.mark.slow
def test_a_prepared_copy_that_does_not_load_back_falls_back_to_the_voice(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path))
    real = onnxruntime.InferenceSession

    def refuse_the_copy(source, *args, **kwargs):
        if isinstance(source, str) and source.startswith(str(tmp_path)):
            raise RuntimeError("cannot read it back")
        return real(source, *args, **kwargs)

    monkeypatch.setattr(onnxruntime, "InferenceSession", refuse_the_copy)
    model, _ = piper_module.bundled_voice()
    with caplog.at_level(logging.WARNING):
        session, _ = prepared.load_session(model, 1)
    assert "does not load" in caplog.text
    assert session._model_path == str(model)
    assert not prepared._optimized_path(model).exists()  # removed, not kept to fail on every load


@pytest.mark.slow
def test_a_worker_that_will_reload_prepares_the_voice_in_a_process_of_its_own(tmp_path, monkeypatch):
    """apart=True: the copy is made by a child process (real onnx, real onnxruntime) and loaded here."""
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path))
    model, _ = piper_module.bundled_voice()
    children = []
    real = prepared._builder_command

    def counted(*args):
        children.append(args)
        return real(*args)

    monkeypatch.setattr(prepared, "_builder_command", counted)
    session, _ = prepared.load_session(model, 1, apart=True)
    saved = prepared._optimized_path(model)
    assert len(children) == 1 and saved.is_file()
    assert session._model_path == str(saved)
    assert ("com.microsoft.nchwc" in {n.domain for n in _graph(saved).graph.node}) == _blocked_kernels()
    prepared.load_session(model, 1, apart=True)
    assert len(children) == 1  # made once, then loaded


def test_a_child_that_cannot_prepare_the_voice_leaves_it_running_as_it_is(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(prepared, "_builder_command",
                        lambda model, saved: [sys.executable, "-c", "raise SystemExit('no room on the disk')"])
    model, _ = piper_module.bundled_voice()
    with caplog.at_level(logging.WARNING):
        session, _ = prepared.load_session(model, 1, apart=True)
    assert "could not prepare the voice" in caplog.text and "no room on the disk" in caplog.text
    assert session._model_path == str(model)
    assert not prepared._optimized_path(model).exists()


def _claim_of(saved, pid: int):
    claim = saved.with_name(f".{saved.name}.building")
    claim.parent.mkdir(parents=True, exist_ok=True)
    claim.write_text(f"{socket.gethostname()} {pid}")
    return claim


@pytest.mark.slow
def test_while_another_process_prepares_the_voice_it_runs_as_it_is_then_switches(tmp_path, monkeypatch):
    """The second worker on a fresh cache: real voice, real onnxruntime, a real process holding the claim."""
    monkeypatch.setenv("ARTICAST_CACHE_DIR", str(tmp_path))
    model, _ = piper_module.bundled_voice()
    saved = prepared._optimized_path(model)
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        claim = _claim_of(saved, other.pid)
        engine = piper_module.PiperEngine(EngineOptions())
        engine.threads = 1
        first = engine.synthesize("The harbour opened at dawn.")
        assert engine._voice.session._model_path == str(model) and not saved.exists()  # not prepared twice
        assert engine._coming == saved
        assert first.samples.size > first.sample_rate_hz // 2
        prepared.build_prepared_voice(str(model), str(saved))  # the other process finishes
        claim.unlink()
    finally:
        other.kill()
        other.wait()
    second = engine.synthesize("The library closed at nine.")
    assert engine._voice.session._model_path == str(saved) and engine._coming is None
    assert second.samples.size > second.sample_rate_hz // 2


def test_a_claim_is_taken_over_only_when_its_process_is_gone_or_it_is_old(tmp_path):
    saved = tmp_path / "models" / "voice.onnx"
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    try:
        claim = _claim_of(saved, alive.pid)
        with prepared._build_claim(saved) as mine:
            assert not mine
        assert claim.exists()  # another's claim is left alone
        old = time.time() - prepared.BUILD_CLAIM_S - 10
        os.utime(claim, (old, old))
        with prepared._build_claim(saved) as mine:
            assert mine and claim.read_text() == f"{socket.gethostname()} {os.getpid()}"
        assert not claim.exists()  # released when done
        _claim_of(saved, gone.pid)
        with prepared._build_claim(saved) as mine:
            assert mine
            with prepared._build_claim(saved) as also_mine:
                assert not also_mine  # one claim at a time, even in one process
    finally:
        alive.kill()
        alive.wait()
    assert not claim.exists()
    with prepared._build_claim(tmp_path / "no such folder" / "voice.onnx") as mine:
        assert mine  # no claim can be made there: the voice is prepared (or fails) as before


def test_a_graph_parsed_without_its_weights_reads_them_where_they_lie(tmp_path):
    from articast.speech.voicegraph import without_weights

    path = _decoder_graph(tmp_path)
    data = path.read_bytes()
    own = onnx.load(str(path))
    graph_model = without_weights(data, "the-file", min_bytes=1024)
    assert len(graph_model.SerializeToString()) < len(data) // 4
    moved = {w.name: {e.key: e.value for e in w.external_data} for w in graph_model.graph.initializer
             if w.data_location == TensorProto.EXTERNAL}
    small = {w.name for w in own.graph.initializer if len(w.raw_data) < 1024}
    assert set(moved) == {w.name for w in own.graph.initializer} - small and small  # small ones stay inside
    for weight in own.graph.initializer:
        if weight.name in moved:
            offset, length = int(moved[weight.name]["offset"]), int(moved[weight.name]["length"])
            assert moved[weight.name]["location"] == "the-file"
            assert data[offset:offset + length] == weight.raw_data
    # Everything but the moved bytes is as the model was: nodes, shapes, inputs and outputs.
    assert graph_model.graph.node == own.graph.node and graph_model.graph.input == own.graph.input
    assert [list(w.dims) for w in graph_model.graph.initializer] == [list(w.dims) for w in own.graph.initializer]
    # onnxruntime, handed the file's bytes, runs it as it runs the model itself.
    opts = onnxruntime.SessionOptions()
    opts.add_external_initializers_from_files_in_memory(["the-file"], [data], [len(data)])
    x = np.random.default_rng(3).standard_normal((1, 32, 40)).astype(np.float32)
    got = onnxruntime.InferenceSession(graph_model.SerializeToString(), sess_options=opts,
                                       providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    np.testing.assert_array_equal(got, _session(str(path), "ORT_DISABLE_ALL").run(None, {"x": x})[0])
    for broken in (data[:len(data) // 2], data[:-3], b"\x0b" + data):  # cut short; a group, unknown to ONNX
        with pytest.raises(ValueError):
            without_weights(broken, "the-file")
