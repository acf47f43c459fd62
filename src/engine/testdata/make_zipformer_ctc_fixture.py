#!/usr/bin/python3
"""Writes zipformer-ctc-fixture/: a tiny stand-in for a sherpa-onnx zoo directory of an icefall
streaming Zipformer CTC model (`sherpa-onnx-streaming-zipformer-ctc-small-2024-03-18` and the like:
one ctc-*.onnx, tokens.txt, no model.json).

The ONNX interface is the one icefall's egs/librispeech/ASR/zipformer/export-onnx-streaming-ctc.py
gives (what sherpa-onnx's OnlineZipformer2CtcModel reads, passing tensors by position):

  inputs   x [N, T, 80] float32 (time before features, unlike NeMo), then per encoder layer i
           cached_key_i [L_s, N, key_dim], cached_nonlin_attn_i [1, N, L_s, 3 * dim_s / 4],
           cached_val1_i [L_s, N, value_dim], cached_val2_i [L_s, N, value_dim] (batch on axis 1),
           cached_conv1_i [N, dim_s, kernel_s / 2], cached_conv2_i [N, dim_s, kernel_s / 2],
           then embed_states [N, 128, 3, 19] float32 and processed_lens [N] int64
  outputs  log_probs [N, decode_chunk_len / 4, V] (V static: sherpa-onnx reads its vocabulary size
           there; the blank <blk> is id 0), then new_<state> for every state, in the same order
  metadata model_type zipformer2, version, model_author, comment, decode_chunk_len 32, T 45
           (decode_chunk_len + 7 + 2 * 3), num_encoder_layers, encoder_dims, cnn_module_kernels,
           left_context_len, query_head_dims, value_head_dims, num_heads (comma-separated per stack)

sherpa-onnx's initial states are all zeros. Here: two encoder stacks of one layer each, of dim 16
(the real small model has 6 stacks, 2..4 layers each, dims 192..512), random weights (seed 22),
and 255 of Earshot's en-default word pieces after <blk>, so transcripts are gibberish. Inside it is
no Zipformer, but each output frame depends on its 17 feature frames (stride 4, 13 frames of
overlap into the next call, as the real subsampling and ConvNeXt right padding), and on every
state: attention over cached keys and values (batch on axis 1), causal depthwise convolutions over
their caches, the embed cache and processed_lens; and every next state depends on its input state,
so a state stacked on the wrong axis, a wrong initial state, chunk size or shift changes tokens.
About 0.1 MB.

Run with the Debian interpreter that has torch and onnx (python3-torch, python3-onnx):
    /usr/bin/python3 src/engine/testdata/make_zipformer_ctc_fixture.py
"""
import os

import onnx
import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
OUT = os.path.join(HERE, "zipformer-ctc-fixture")
ONNX_NAME = "ctc-epoch-30-avg-3-chunk-16-left-128.onnx"

N_MELS = 80
DECODE_CHUNK_LEN = 32  # chunk-size 16 at 50 Hz, in 10 ms feature frames
PAD_LENGTH = 7 + 2 * 3
T = DECODE_CHUNK_LEN + PAD_LENGTH  # 45
OUT_FRAMES = DECODE_CHUNK_LEN // 4  # 8 frames of 40 ms per call
KERNEL_T = T - 4 * (OUT_FRAMES - 1)  # 17: each output frame sees 17 feature frames, stride 4
VOCAB = 256  # <blk> + 255 pieces

ENCODER_DIMS = [16, 16]
NUM_ENCODER_LAYERS = [1, 1]
QUERY_HEAD_DIMS = [4, 4]
VALUE_HEAD_DIMS = [4, 4]
NUM_HEADS = [2, 2]
CNN_MODULE_KERNELS = [7, 5]
LEFT_CONTEXT_LEN = [16, 8]  # left_context_frames 128 / downsampling 8, 16
EMBED = (128, 3, 19)  # sherpa-onnx builds embed_states as {1, 128, 3, 19} whatever the model


class Layer(nn.Module):
    def __init__(self, s: int):
        super().__init__()
        d = ENCODER_DIMS[s]
        self.left = LEFT_CONTEXT_LEN[s]
        key_dim = QUERY_HEAD_DIMS[s] * NUM_HEADS[s]
        value_dim = VALUE_HEAD_DIMS[s] * NUM_HEADS[s]
        nonlin = 3 * d // 4
        self.q = nn.Linear(d, key_dim)
        self.k = nn.Linear(d, key_dim)
        self.v1 = nn.Linear(d, value_dim)
        self.v2 = nn.Linear(d, value_dim)
        self.o1 = nn.Linear(value_dim, d)
        self.o2 = nn.Linear(value_dim, d)
        self.nl = nn.Linear(d, nonlin)
        self.nl_out = nn.Linear(nonlin, d)
        half = CNN_MODULE_KERNELS[s] // 2
        self.conv1 = nn.Conv1d(d, d, half + 1, groups=d)
        self.conv2 = nn.Conv1d(d, d, half + 1, groups=d)
        self.scale = key_dim ** -0.5

    def attend(self, q, keys, values):
        w = torch.softmax(q @ keys.transpose(1, 2) * self.scale, -1)
        return w @ values

    def forward(self, y, key, nonlin, val1, val2, conv1, conv2):
        # y [N, F, d]; key/val [L, N, *] (batch on axis 1), nonlin [1, N, L, *], conv [N, d, k/2]
        keys = torch.cat([key.permute(1, 0, 2), self.k(y)], 1)
        q = self.q(y)
        vals1 = torch.cat([val1.permute(1, 0, 2), self.v1(y)], 1)
        y = y + self.o1(self.attend(q, keys, vals1))
        vals2 = torch.cat([val2.permute(1, 0, 2), self.v2(y)], 1)
        y = y + self.o2(self.attend(q, keys, vals2))
        nls = torch.cat([nonlin[0], torch.tanh(self.nl(y))], 1)
        y = y + self.nl_out(nls.mean(1, keepdim=True))
        c1 = torch.cat([conv1, y.transpose(1, 2)], 2)
        y = y + torch.tanh(self.conv1(c1)).transpose(1, 2)
        c2 = torch.cat([conv2, y.transpose(1, 2)], 2)
        y = y + torch.tanh(self.conv2(c2)).transpose(1, 2)
        half = conv1.shape[2]
        left = self.left
        return y, [keys[:, -left:].permute(1, 0, 2), nls[:, -left:].unsqueeze(0),
                   vals1[:, -left:].permute(1, 0, 2), vals2[:, -left:].permute(1, 0, 2),
                   c1[:, :, -half:], c2[:, :, -half:]]


class FixtureZipformerCtc(nn.Module):
    def __init__(self):
        super().__init__()
        d = ENCODER_DIMS[0]
        self.inp = nn.Linear(N_MELS, d)
        self.sub = nn.Conv1d(d, d, KERNEL_T, stride=4)
        self.embed_in = nn.Linear(EMBED[0], d)
        self.embed_a = nn.Parameter(torch.randn(EMBED[0]))
        self.embed_b = nn.Parameter(torch.randn(EMBED[2]))
        self.lens = nn.Parameter(torch.randn(d))
        self.layers = nn.ModuleList(Layer(s) for s, n in enumerate(NUM_ENCODER_LAYERS) for _ in range(n))
        self.head = nn.Linear(d, VOCAB)

    def forward(self, x, states):
        y, new_states = self.encode(x, states)
        return [F.log_softmax(self.head(y), -1)] + new_states

    def encode(self, x, states):
        """The encoder frames [N, 8, d] and the next states (the transducer fixture reuses it)."""
        embed_states, processed_lens = states[-2], states[-1]
        h = torch.tanh(self.inp(x * 0.1))  # [N, T, d]
        y = self.sub(h.transpose(1, 2)).transpose(1, 2)  # [N, 8, d]
        y = y + self.embed_in(embed_states.mean((2, 3))).unsqueeze(1)
        y = y + torch.tanh(processed_lens.float().unsqueeze(1) / 64.0).unsqueeze(2) * self.lens
        g = h[:, -EMBED[1]:].mean(2)  # [N, 3]: the last frames, as the embed's left padding cache
        new_embed = 0.5 * embed_states + torch.tanh(
            self.embed_a[None, :, None, None] * g[:, None, :, None] + self.embed_b[None, None, None, :])
        new_states = []
        for i, layer in enumerate(self.layers):
            y, nxt = layer(y, *states[6 * i:6 * i + 6])
            new_states += nxt
        return y, new_states + [new_embed, processed_lens + DECODE_CHUNK_LEN // 2]


def init_states():
    states, names = [], []
    i = 0
    for s, n in enumerate(NUM_ENCODER_LAYERS):
        left, d = LEFT_CONTEXT_LEN[s], ENCODER_DIMS[s]
        key_dim = QUERY_HEAD_DIMS[s] * NUM_HEADS[s]
        value_dim = VALUE_HEAD_DIMS[s] * NUM_HEADS[s]
        for _ in range(n):
            states += [torch.zeros(left, 1, key_dim), torch.zeros(1, 1, left, 3 * d // 4),
                       torch.zeros(left, 1, value_dim), torch.zeros(left, 1, value_dim),
                       torch.zeros(1, d, CNN_MODULE_KERNELS[s] // 2), torch.zeros(1, d, CNN_MODULE_KERNELS[s] // 2)]
            names += [f"cached_key_{i}", f"cached_nonlin_attn_{i}", f"cached_val1_{i}", f"cached_val2_{i}",
                      f"cached_conv1_{i}", f"cached_conv2_{i}"]
            i += 1
    states += [torch.zeros(1, *EMBED), torch.zeros(1, dtype=torch.int64)]
    names += ["embed_states", "processed_lens"]
    return states, names


def main():
    torch.manual_seed(22)
    model = FixtureZipformerCtc().eval()
    with torch.no_grad():
        # sharp enough that float noise decides no token, with a blank that wins some frames
        model.head.weight.mul_(4)
        model.head.bias[0] += 1.0
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, ONNX_NAME)
    states, state_names = init_states()
    names_in = ["x"] + state_names
    names_out = ["log_probs"] + [f"new_{n}" for n in state_names]
    batch_axis = {n: ({1: "N"} if n.startswith(("cached_key", "cached_nonlin", "cached_val")) else {0: "N"})
                  for n in state_names}
    dynamic = {"x": {0: "N"}, "log_probs": {0: "N"}, **batch_axis,
               **{f"new_{n}": a for n, a in batch_axis.items()}}
    with torch.no_grad():
        torch.onnx.export(model, (torch.zeros(1, T, N_MELS), states), path, input_names=names_in,
                          output_names=names_out, dynamic_axes=dynamic, opset_version=13)
    m = onnx.load(path)
    del m.metadata_props[:]
    for key, value in encoder_metadata().items():
        entry = m.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(m, path)
    write_tokens(OUT)
    print(f"{path}: {os.path.getsize(path)} bytes, {sum(p.numel() for p in model.parameters())} parameters")


def encoder_metadata():
    """The metadata icefall's streaming export writes and sherpa-onnx reads."""
    join = lambda v: ",".join(map(str, v))  # noqa: E731
    return {
        "model_type": "zipformer2",
        "version": "1",
        "model_author": "k2-fsa",
        "comment": "streaming ctc zipformer2 (earshot test fixture, random weights, made by "
                   "src/engine/testdata/make_zipformer_ctc_fixture.py)",
        "decode_chunk_len": str(DECODE_CHUNK_LEN),
        "T": str(T),
        "num_encoder_layers": join(NUM_ENCODER_LAYERS),
        "encoder_dims": join(ENCODER_DIMS),
        "cnn_module_kernels": join(CNN_MODULE_KERNELS),
        "left_context_len": join(LEFT_CONTEXT_LEN),
        "query_head_dims": join(QUERY_HEAD_DIMS),
        "value_head_dims": join(VALUE_HEAD_DIMS),
        "num_heads": join(NUM_HEADS),
    }


def write_tokens(out):
    """tokens.txt as icefall writes it: <blk> 0, then the pieces."""
    pieces = [line.rsplit(" ", 1)[0] for line in open(os.path.join(ROOT, "models", "en-default", "tokens.txt"))
              if line.strip()]
    pieces = [p for p in pieces if p != "<blk>"][:VOCAB - 1]
    with open(os.path.join(out, "tokens.txt"), "w", encoding="utf-8") as f:
        for i, s in enumerate(["<blk>"] + pieces):
            f.write(f"{s} {i}\n")


if __name__ == "__main__":
    main()
