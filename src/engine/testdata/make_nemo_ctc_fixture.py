#!/usr/bin/python3
"""Writes nemo-streaming-ctc-80ms-fixture/: a tiny stand-in for a sherpa-onnx zoo directory
`sherpa-onnx-nemo-streaming-fast-conformer-ctc-en-80ms` (model.onnx + tokens.txt, no model.json).

The ONNX interface is the one NVIDIA's NeMo export gives a cache-aware streaming FastConformer
hybrid model with its CTC branch (`asr_model.set_export_config({"decoder_type": "ctc",
"cache_support": True}); asr_model.export(...)`), with the metadata that sherpa-onnx's
scripts/nemo/fast-conformer-hybrid-transducer-ctc/export-onnx-ctc.py adds:

  inputs   audio_signal [B, 80, 17] float32, length [B] int64,
           cache_last_channel [B, 2, 70, 32] float32, cache_last_time [B, 2, 32, 8] float32,
           cache_last_channel_len [B] int64
  outputs  logprobs [B, 1, 257] float32 (blank last), encoded_lengths [B] int64,
           cache_last_channel_next, cache_last_time_next, cache_last_channel_next_len
  metadata vocab_size 256, window_size 17, chunk_shift 8, normalize_type "", subsampling_factor 8,
           cache_last_channel_dim1..3 2/70/32, cache_last_time_dim1..3 2/32/8,
           model_type EncDecHybridRNNTCTCBPEModel, version, model_author, url, comment

An 80 ms model of NVIDIA's (att_context_size [70, 0]) takes a chunk of 8 feature frames plus the
pre-encode cache of its causal 8x subsampling (subsampling_factor + 1 = 9 frames of the previous
chunk), so window_size = 17 and chunk_shift = 8; the subsampling turns 17 frames into 3 and drops
the first 2 (drop_extra_pre_encoded), leaving one 80 ms output frame per call. The real models
have 17 layers of d_model 512 and a 1024-piece vocabulary; this one has 2 layers of 32 with random
weights (seed 22) and Earshot's en-default word pieces, so its transcripts are gibberish, but every
output frame depends on the features, the window overlap and the caches, which is what a parity
test needs. About 0.3 MB.

The layers are the recipe's (models/recipe/model.py Block: feed-forward, attention over the cached
frames, causal depthwise convolution); the subsampling is NeMo's causal dw_striding (three
stride-2 3x3 convolutions padded 2 before and 1 after, the last two depthwise + pointwise).

Run with the Debian interpreter that has torch and onnx:
    /usr/bin/python3 src/engine/testdata/make_nemo_ctc_fixture.py
"""
import os
import sys

import onnx
import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "models", "recipe"))
from model import Block, Config  # noqa: E402

OUT = os.path.join(HERE, "nemo-streaming-ctc-80ms-fixture")
N_MELS = 80
CHUNK = 8  # feature frames per call (80 ms)
SUBSAMPLING = 8
PRE_ENCODE_CACHE = SUBSAMPLING + 1  # NeMo ConvSubsampling.get_streaming_cache_size()[1]
WINDOW = CHUNK + PRE_ENCODE_CACHE
DROP_EXTRA = 1 + (PRE_ENCODE_CACHE - 1) // SUBSAMPLING  # NeMo streaming_cfg.drop_extra_pre_encoded
LEFT_CONTEXT = 70  # att_context_size[0]: last_channel_cache_size
CFG = Config(vocab_size=256, n_mels=N_MELS, d_model=32, layers=2, heads=4, ff_mult=4, kernel=9,
             chunk=CHUNK, left_context=LEFT_CONTEXT, sub_channels=16, dropout=0.0)


class CausalSubsampling(nn.Module):
    """NeMo's causal dw_striding 8x subsampling: [B, T, 80] -> [B, T', d]."""

    def __init__(self, c: int, d: int):
        super().__init__()
        self.conv1 = nn.Conv2d(1, c, 3, stride=2)
        self.dw = nn.ModuleList(nn.Conv2d(c, c, 3, stride=2, groups=c) for _ in range(2))
        self.pw = nn.ModuleList(nn.Conv2d(c, c, 1) for _ in range(2))
        freq = N_MELS
        for _ in range(3):
            freq = (freq + 3 - 3) // 2 + 1
        self.out = nn.Linear(c * freq, d)

    def forward(self, x):
        x = F.relu(self.conv1(F.pad(x.unsqueeze(1), (2, 1, 2, 1))))
        for dw, pw in zip(self.dw, self.pw):
            x = F.relu(pw(dw(F.pad(x, (2, 1, 2, 1)))))
        b, c, t, f = x.shape
        return self.out(x.transpose(1, 2).reshape(b, t, c * f))


class FixtureCtc(nn.Module):
    def __init__(self):
        super().__init__()
        self.sub = CausalSubsampling(CFG.sub_channels, CFG.d_model)
        self.blocks = nn.ModuleList(Block(CFG) for _ in range(CFG.layers))
        self.final_norm = nn.LayerNorm(CFG.d_model)
        self.head = nn.Linear(CFG.d_model, CFG.vocab_size + 1)

    def forward(self, audio_signal, length, cache_last_channel, cache_last_time, cache_last_channel_len):
        x = self.sub(audio_signal.transpose(1, 2))[:, DROP_EXTRA:]
        c = x.shape[1]
        k_pos = torch.arange(LEFT_CONTEXT + c) - LEFT_CONTEXT  # cached frames have negative positions
        q_pos = torch.arange(c)
        dist = (q_pos[:, None] - k_pos[None, :]).abs().float()
        valid = k_pos[None, :] >= -cache_last_channel_len[:, None]
        bias = -self.blocks[0].att.slopes * dist + ((~valid).float() * -1e9)[:, None, None, :]
        next_channel, next_time = [], []
        for i, blk in enumerate(self.blocks):
            x, kv, conv = blk(x, cache_last_channel[:, i], cache_last_time[:, i], bias)
            next_channel.append(kv[:, -LEFT_CONTEXT:])
            next_time.append(conv)
        logprobs = F.log_softmax(self.head(self.final_norm(x)), -1)
        encoded_lengths = torch.full_like(length, c)
        return (logprobs, encoded_lengths, torch.stack(next_channel, 1), torch.stack(next_time, 1),
                torch.clamp(cache_last_channel_len + c, max=LEFT_CONTEXT))


def main():
    torch.manual_seed(22)
    model = FixtureCtc().eval()
    with torch.no_grad():
        # sharper than the default initialisation, with a blank that wins about half the frames,
        # so that the greedy tokens have gaps and float noise does not decide them
        model.head.weight.mul_(3)
        model.head.bias[-1] += 0.5
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "model.onnx")
    inputs = (torch.zeros(1, N_MELS, WINDOW), torch.full((1,), WINDOW, dtype=torch.int64),
              torch.zeros(1, CFG.layers, LEFT_CONTEXT, CFG.d_model),
              torch.zeros(1, CFG.layers, CFG.d_model, CFG.kernel - 1), torch.zeros(1, dtype=torch.int64))
    names_in = ["audio_signal", "length", "cache_last_channel", "cache_last_time", "cache_last_channel_len"]
    names_out = ["logprobs", "encoded_lengths", "cache_last_channel_next", "cache_last_time_next",
                 "cache_last_channel_next_len"]
    with torch.no_grad():
        torch.onnx.export(model, inputs, path, input_names=names_in, output_names=names_out,
                          dynamic_axes={n: {0: "batch"} for n in names_in + names_out}, opset_version=17)
    # the metadata as export-onnx-ctc.py writes it (every value a string), replacing any other
    meta = {
        "vocab_size": CFG.vocab_size,
        "window_size": WINDOW,
        "chunk_shift": CHUNK,
        "normalize_type": "",  # the streaming models' preprocessor normalize is "NA"
        "cache_last_channel_dim1": CFG.layers,
        "cache_last_channel_dim2": LEFT_CONTEXT,
        "cache_last_channel_dim3": CFG.d_model,
        "cache_last_time_dim1": CFG.layers,
        "cache_last_time_dim2": CFG.d_model,
        "cache_last_time_dim3": CFG.kernel - 1,
        "subsampling_factor": SUBSAMPLING,
        "model_type": "EncDecHybridRNNTCTCBPEModel",
        "version": "1",
        "model_author": "NeMo",
        "url": "earshot test fixture (random weights), made by src/engine/testdata/make_nemo_ctc_fixture.py",
        "comment": "Only the CTC branch is exported",
    }
    m = onnx.load(path)
    del m.metadata_props[:]
    for key, value in meta.items():
        entry = m.metadata_props.add()
        entry.key, entry.value = key, str(value)
    onnx.save(m, path)
    # tokens.txt as the export writes it: `piece id` for the vocabulary, then <blk> last
    pieces = [line.rsplit(" ", 1)[0] for line in open(os.path.join(ROOT, "models", "en-default", "tokens.txt"))
              if line.strip()][:CFG.vocab_size]
    with open(os.path.join(OUT, "tokens.txt"), "w", encoding="utf-8") as f:
        for i, s in enumerate(pieces):
            f.write(f"{s} {i}\n")
        f.write(f"<blk> {len(pieces)}\n")
    print(f"{path}: {os.path.getsize(path)} bytes, {sum(p.numel() for p in model.parameters())} parameters")


if __name__ == "__main__":
    main()
