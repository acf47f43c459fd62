#!/usr/bin/python3
"""Writes fbank_fixture.json: deterministic test audio and torchaudio's Kaldi fbank of it.

Run with the Debian interpreter that has torch/torchaudio:
    /usr/bin/python3 src/engine/testdata/make_fbank_fixture.py
"""
import json
import math
import os

import numpy as np
import torch
import torchaudio
import torchaudio.compliance.kaldi as kaldi

SAMPLE_RATE = 16000

# Must mirror the options implemented by src/engine/fbank.ts.
FBANK_OPTS = dict(
    sample_frequency=SAMPLE_RATE,
    num_mel_bins=80,
    frame_length=25.0,
    frame_shift=10.0,
    dither=0.0,
    preemphasis_coefficient=0.97,
    remove_dc_offset=True,
    window_type="povey",
    low_freq=20.0,
    high_freq=-400.0,
    snip_edges=False,
    round_to_power_of_two=True,
    energy_floor=0.0,
    use_log_fbank=True,
    use_power=True,
)


def make_clip(num_samples: int, seed: int) -> np.ndarray:
    """Two sines + a linear chirp + seeded noise, quantised to int16 so the TS side sees identical input."""
    rng = np.random.default_rng(seed)
    t = np.arange(num_samples, dtype=np.float64) / SAMPLE_RATE
    dur = num_samples / SAMPLE_RATE
    f0, f1 = 150.0, 6000.0  # chirp sweeps most of the mel range
    chirp_phase = 2 * math.pi * (f0 * t + 0.5 * (f1 - f0) / dur * t * t)
    x = (
        0.30 * np.sin(2 * math.pi * 440.0 * t)
        + 0.15 * np.sin(2 * math.pi * 1230.0 * t + 0.7)
        + 0.20 * np.sin(chirp_phase)
        + 0.05 * rng.standard_normal(num_samples)
    )
    # A louder second half exercises level changes between frames.
    x *= np.where(t < dur / 2, 0.6, 1.0)
    return np.clip(np.round(x * 32767.0), -32768, 32767).astype(np.int16)


def fbank_of(pcm: np.ndarray) -> list:
    wave = torch.from_numpy(pcm.astype(np.float32) / 32768.0).unsqueeze(0)
    feats = kaldi.fbank(wave, **FBANK_OPTS)
    return [[round(float(v), 5) for v in row] for row in feats]


def main() -> None:
    clips = []
    # 11713 and 8219 samples: neither is a multiple of the 160-sample shift.
    for name, n, seed in (("mix_0p73s", 11713, 1234), ("mix_0p51s", 8219, 99)):
        pcm = make_clip(n, seed)
        clips.append({"name": name, "pcm_s16": pcm.tolist(), "fbank": fbank_of(pcm)})
    out = {
        "generator": "make_fbank_fixture.py",
        "torch": torch.__version__,
        "torchaudio": torchaudio.__version__,
        "sample_rate": SAMPLE_RATE,
        "scale": "float = int16 / 32768",
        "options": FBANK_OPTS,
        "clips": clips,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fbank_fixture.json")
    # indent=2 plus a final newline is byte-identical to `deno fmt` output, so the file stays fmt-clean.
    with open(path, "w") as f:
        f.write(json.dumps(out, indent=2) + "\n")
    print(path, os.path.getsize(path), "bytes", [(c["name"], len(c["fbank"])) for c in clips])


if __name__ == "__main__":
    main()
