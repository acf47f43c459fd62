#!/usr/bin/python3
"""Writes nemo_fbank_fixture.json: test audio and, computed here with numpy and torchaudio, the
features sherpa-onnx feeds a NeMo transducer (fbank.ts NEMO_FBANK).

sherpa-onnx's NeMo transducer recognizer (online-recognizer-transducer-nemo-impl.h PostInit) sets
window_type "hann", remove_dc_offset false, low_freq 0, high_freq 8000, is_librosa true, dither 0
and keeps the other defaults (16 kHz, 25 ms frames every 10 ms, snip_edges false, pre-emphasis
0.97, 512-point FFT, power spectrum, 80 bins). kaldi-native-fbank (feature-window.cc,
mel-computations.cc InitLibrosaMelBanks, feature-fbank.cc) then computes, per frame:

  samples 160t - 120 .. 160t + 280, reflected at the signal's ends (snip_edges false)
  x[i] -= 0.97 x[i-1] (x[0] -= 0.97 x[0]); x *= periodic Hann 0.5 - 0.5 cos(2 pi i / 400)
  |rfft(x, 512)|^2 over bins 0..256; librosa's slaney mel filters with slaney norm, 0..8000 Hz
  log(max(energy, FLT_EPSILON))

kaldi-native-fbank is not installed here, so this is that formula written out, with the filters
from torchaudio.functional.melscale_fbanks(norm="slaney", mel_scale="slaney"), which are librosa's
(an independent implementation of the filters fbank.ts builds). The clip is make_fbank_fixture.py's.

Run with the Debian interpreter that has torch/torchaudio:
    /usr/bin/python3 src/engine/testdata/make_nemo_fbank_fixture.py
"""
import json
import os
import sys

import numpy as np
import torch
import torchaudio

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_fbank_fixture import make_clip  # noqa: E402

FLT_EPSILON = float(np.finfo(np.float32).eps)


def nemo_fbank(pcm: np.ndarray) -> np.ndarray:
    x = pcm.astype(np.float64) / 32768.0
    n = len(x)
    frames = (n + 80) // 160
    idx = np.arange(400)[None, :] + 160 * np.arange(frames)[:, None] - 120
    period = 2 * n
    j = np.mod(idx, period)
    idx = np.where(j < n, j, period - 1 - j)  # symmetric reflection ([.. 1 0 | 0 1 ..])
    w = x[idx]
    w[:, 1:] -= 0.97 * w[:, :-1].copy()
    w[:, 0] -= 0.97 * w[:, 0]
    w *= 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(400) / 400)
    power = np.abs(np.fft.rfft(w, 512)) ** 2  # [frames, 257]
    mel = torchaudio.functional.melscale_fbanks(
        n_freqs=257, f_min=0.0, f_max=8000.0, n_mels=80, sample_rate=16000, norm="slaney",
        mel_scale="slaney").double().numpy()  # [257, 80]
    return np.log(np.maximum(power @ mel, FLT_EPSILON))


def main() -> None:
    pcm = make_clip(8219, 99)
    feats = nemo_fbank(pcm)
    out = {
        "generator": "make_nemo_fbank_fixture.py",
        "torchaudio": torchaudio.__version__,
        "scale": "float = int16 / 32768",
        "clips": [{"name": "mix_0p51s", "pcm_s16": pcm.tolist(),
                   "fbank": [[round(float(v), 5) for v in row] for row in feats]}],
    }
    path = os.path.join(HERE, "nemo_fbank_fixture.json")
    with open(path, "w") as f:
        f.write(json.dumps(out, indent=2) + "\n")
    print(path, os.path.getsize(path), "bytes", feats.shape)


if __name__ == "__main__":
    main()
