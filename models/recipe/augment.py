"""Waveform augmentation for training: speed, reverberation, noise, telephone band and level."""
import math, random
import torch, torchaudio

SR = 16000


def speed(wav: torch.Tensor, factor: float) -> torch.Tensor:
    # rates on a 400 Hz grid keep the resampling kernel small (gcd >= 400)
    return torchaudio.functional.resample(wav, int(round(SR * factor / 400)) * 400, SR)


def reverb(wav: torch.Tensor, rng: random.Random) -> torch.Tensor:
    """A synthetic room: the direct path plus an exponentially decaying noise tail, mixed at a
    direct-to-reverberant ratio of 0-12 dB (a tail of equal weight per sample drowns speech)."""
    rt60 = rng.uniform(0.15, 0.6)
    n = int(SR * rt60)
    t = torch.arange(n) / SR
    tail = torch.randn(n, generator=torch.Generator().manual_seed(rng.randrange(1 << 30))) * torch.exp(-6.9 * t / rt60)
    tail[0] = 0.0
    drr_db = rng.uniform(0, 12)
    rir = tail * torch.sqrt(10 ** (-drr_db / 10) / tail.pow(2).sum())
    rir[0] = 1.0
    size = wav.numel() + n - 1
    out = torch.fft.irfft(torch.fft.rfft(wav, size) * torch.fft.rfft(rir, size), size)[: wav.numel()]
    return out * (wav.abs().max() / (out.abs().max() + 1e-9))


def noise(wav: torch.Tensor, rng: random.Random) -> torch.Tensor:
    g = torch.Generator().manual_seed(rng.randrange(1 << 30))
    white = torch.randn(wav.numel(), generator=g)
    kind = rng.choice(["white", "pink", "brown", "hum"])
    if kind == "pink":
        spec = torch.fft.rfft(white)
        spec = spec / torch.sqrt(torch.arange(1, spec.numel() + 1, dtype=torch.float32))
        n = torch.fft.irfft(spec, n=wav.numel())
    elif kind == "brown":
        n = torch.cumsum(white, 0)
        n = n - torchaudio.functional.lowpass_biquad(n, SR, 20.0)
    elif kind == "hum":
        t = torch.arange(wav.numel()) / SR
        n = sum(torch.sin(2 * math.pi * rng.choice([50, 60]) * k * t) / k for k in range(1, 5)) + 0.1 * white
    else:
        n = white
    snr_db = rng.uniform(8, 40)
    p_sig = wav.pow(2).mean() + 1e-9
    p_noise = n.pow(2).mean() + 1e-9
    return wav + n * torch.sqrt(p_sig / (p_noise * 10 ** (snr_db / 10)))


def telephone(wav: torch.Tensor) -> torch.Tensor:
    x = torchaudio.functional.highpass_biquad(wav, SR, 300.0)
    x = torchaudio.functional.resample(x, SR, 8000)
    x = torchaudio.functional.mu_law_decoding(torchaudio.functional.mu_law_encoding(x.clamp(-1, 1), 256), 256)
    return torchaudio.functional.resample(x, 8000, SR)


def augment(wav: torch.Tensor, rng: random.Random) -> torch.Tensor:
    if rng.random() < 0.6:
        wav = speed(wav, rng.uniform(0.88, 1.12))
    if rng.random() < 0.2:
        wav = reverb(wav, rng)
    if rng.random() < 0.4:
        wav = noise(wav, rng)
    if rng.random() < 0.15:
        wav = telephone(wav)
    peak = wav.abs().max() + 1e-9
    level = 10 ** (rng.uniform(-30, -1) / 20)
    return wav / peak * level
