"""The model's input features, exactly as model-interface.md and sherpa-onnx define them."""
import wave
import torch, torchaudio

SR = 16000
FBANK = dict(num_mel_bins=80, frame_length=25.0, frame_shift=10.0, dither=0.0, preemphasis_coefficient=0.97,
             remove_dc_offset=True, window_type="povey", low_freq=20.0, high_freq=-400.0, snip_edges=False,
             sample_frequency=SR, round_to_power_of_two=True, energy_floor=0.0)


def fbank(wav: torch.Tensor) -> torch.Tensor:
    """wav: float samples in [-1, 1] at 16 kHz, shape [N]; returns [T, 80] log-mel features."""
    return torchaudio.compliance.kaldi.fbank(wav.unsqueeze(0), **FBANK)


def load_wav(path: str) -> tuple[torch.Tensor, int]:
    """16-bit PCM WAV (what the TTS engines write) without an audio I/O backend, which torchaudio
    2.9+ only has through TorchCodec."""
    with wave.open(path, "rb") as f:
        assert f.getsampwidth() == 2, f"{path}: 16-bit PCM expected"
        raw = f.readframes(f.getnframes())
        wav = torch.frombuffer(bytearray(raw), dtype=torch.int16).float() / 32768
        return wav.view(-1, f.getnchannels()).mean(1), f.getframerate()


def load_16k(path: str) -> torch.Tensor:
    if path.endswith(".wav"):
        wav, sr = load_wav(path)
    else:
        wav, sr = torchaudio.load(path)
        wav = wav.mean(0)
    return torchaudio.functional.resample(wav, sr, SR) if sr != SR else wav
