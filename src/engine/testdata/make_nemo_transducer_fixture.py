#!/usr/bin/python3
"""Writes nemo-streaming-transducer-80ms-fixture/: a tiny stand-in for a sherpa-onnx zoo directory
`sherpa-onnx-nemo-streaming-fast-conformer-transducer-en-80ms` (encoder.onnx, decoder.onnx,
joiner.onnx, tokens.txt, no model.json).

The interface is the one NVIDIA's NeMo export gives the transducer branch of a cache-aware streaming
FastConformer hybrid model (`asr_model.set_export_config({"decoder_type": "rnnt", "cache_support":
True})`, then encoder.export, decoder.export, joint.export), with the metadata that sherpa-onnx's
scripts/nemo/fast-conformer-hybrid-transducer-ctc/export-onnx-transducer.py adds to the encoder,
as sherpa-onnx's OnlineTransducerNeMoModel reads them by position:

  encoder  audio_signal [B, 80, 17] float32, length [B] int64, cache_last_channel [B, 2, 70, 32],
           cache_last_time [B, 2, 32, 8], cache_last_channel_len [B] int64 ->
           outputs [B, 32, 1] (channels first: d_model, then the output frames), encoded_lengths,
           cache_last_channel_next, cache_last_time_next, cache_last_channel_next_len
           metadata: make_nemo_ctc_fixture.py's, plus pred_rnn_layers 1, pred_hidden 16
  decoder  targets [B, 1] int32, target_length [B] int32, states.1 [1, B, 16] (the LSTM's h),
           onnx::LSTM_3 [1, B, 16] (its c) -> outputs [B, 16, 1], prednet_lengths [B] int32,
           states [1, B, 16], 74 [1, B, 16] (NeMo's RNNTDecoder: an embedding with the blank as
           padding (a zero row), an LSTM of pred_rnn_layers layers of pred_hidden)
  joiner   encoder_outputs [B, 32, 1], decoder_outputs [B, 16, 1] -> outputs [B, 1, 1, 257]
           (NeMo's RNNTJoint: both projected to the joint width, ReLU, a linear layer, log-softmax)
  tokens   en-default's first 256 pieces, then <blk> 256 (the blank is the last id)

The encoder is make_nemo_ctc_fixture.py's (2 layers of d_model 32, the causal 8x subsampling,
window 17, chunk shift 8, one 80 ms output frame per call) with its head giving d_model values
instead of log-probabilities, plus a direct path from the chunk's own feature frames (random layers
alone give nearly the same frames for any audio). Random weights (seed 27): transcripts are
gibberish, but every symbol depends on the features, the encoder caches and the decoder's LSTM
state; symbols come on about 55% of the frames, one or several (up to the 10 a frame sherpa-onnx
takes, which a third of the frames reach: the random LSTM falls into loops), 17 distinct tokens or
so per test recording. About 0.35 MB in all.

Run with the Debian interpreter that has torch and onnx (python3-torch, python3-onnx):
    /usr/bin/python3 src/engine/testdata/make_nemo_transducer_fixture.py [--check WAV...]
--check decodes WAVs (16 kHz mono PCM16) greedily with the torch modules, as sherpa-onnx would,
and prints symbols per frame and distinct tokens: how the scales below were chosen.
"""
import os
import sys
import wave

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_nemo_ctc_fixture as ctc  # noqa: E402

OUT = os.path.join(HERE, "nemo-streaming-transducer-80ms-fixture")
D_MODEL = ctc.CFG.d_model
VOCAB = ctc.CFG.vocab_size  # without the blank
BLANK = VOCAB
PRED_LAYERS = 1
PRED_HIDDEN = 16
JOINT = 16
# joiner output scale, blank bias, direct feature path scale, decoder projection scale: chosen with
# --check on the test WAVs (FIXTURE_SCALES=a,b,c,d tries others)
OUT_SCALE, BLANK_BIAS, DIRECT, PRED = (float(v) for v in os.environ.get("FIXTURE_SCALES", "2,5,3,8").split(","))
MAX_SYMBOLS = 10


class Encoder(ctc.FixtureCtc):
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(D_MODEL, D_MODEL)
        self.direct = nn.Linear(ctc.N_MELS, D_MODEL)

    def forward(self, audio_signal, length, cache_last_channel, cache_last_time, cache_last_channel_len):
        y, lengths, *caches = super().forward(audio_signal, length, cache_last_channel, cache_last_time,
                                              cache_last_channel_len)
        chunk = audio_signal[:, :, ctc.PRE_ENCODE_CACHE:].mean(2)  # the chunk's own 8 frames
        centred = chunk - chunk.mean(1, keepdim=True)
        out = y + self.direct(centred)[:, None, :]
        return (out.transpose(1, 2), lengths, *caches)


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB + 1, PRED_HIDDEN, padding_idx=BLANK)
        self.lstm = nn.LSTM(PRED_HIDDEN, PRED_HIDDEN, PRED_LAYERS)

    def forward(self, targets, target_length, h, c):
        e = self.embedding(targets.long()).transpose(0, 1)  # [U, B, H]
        g, (h2, c2) = self.lstm(e, (h, c))
        return g.permute(1, 2, 0), target_length, h2, c2


class Joiner(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Linear(D_MODEL, JOINT)
        self.pred = nn.Linear(PRED_HIDDEN, JOINT)
        self.out = nn.Linear(JOINT, VOCAB + 1)

    def forward(self, encoder_outputs, decoder_outputs):
        f = self.enc(encoder_outputs.transpose(1, 2)).unsqueeze(2)  # [B, T, 1, J]
        g = self.pred(decoder_outputs.transpose(1, 2)).unsqueeze(1)  # [B, 1, U, J]
        return F.log_softmax(self.out(torch.relu(f + g)), -1)


def build():
    torch.manual_seed(27)
    encoder, decoder, joiner = Encoder().eval(), Decoder().eval(), Joiner().eval()
    with torch.no_grad():
        encoder.direct.weight.mul_(DIRECT)
        decoder.embedding.weight.mul_(3)
        joiner.pred.weight.mul_(PRED)
        joiner.out.weight.mul_(OUT_SCALE)
        joiner.out.bias.zero_()
        joiner.out.bias[BLANK] = BLANK_BIAS
    return encoder, decoder, joiner


def with_metadata(path, meta):
    m = onnx.load(path)
    del m.metadata_props[:]
    for key, value in meta.items():
        entry = m.metadata_props.add()
        entry.key, entry.value = key, str(value)
    onnx.save(m, path)


def export(encoder, decoder, joiner):
    os.makedirs(OUT, exist_ok=True)
    paths = {part: os.path.join(OUT, f"{part}.onnx") for part in ("encoder", "decoder", "joiner")}
    L = ctc.CFG.layers
    enc_in = ["audio_signal", "length", "cache_last_channel", "cache_last_time", "cache_last_channel_len"]
    enc_out = ["outputs", "encoded_lengths", "cache_last_channel_next", "cache_last_time_next",
               "cache_last_channel_next_len"]
    dec_in = ["targets", "target_length", "states.1", "onnx::LSTM_3"]
    dec_out = ["outputs", "prednet_lengths", "states", "74"]
    with torch.no_grad():
        torch.onnx.export(
            encoder,
            (torch.zeros(1, ctc.N_MELS, ctc.WINDOW), torch.full((1,), ctc.WINDOW, dtype=torch.int64),
             torch.zeros(1, L, ctc.LEFT_CONTEXT, D_MODEL), torch.zeros(1, L, D_MODEL, ctc.CFG.kernel - 1),
             torch.zeros(1, dtype=torch.int64)),
            paths["encoder"], input_names=enc_in, output_names=enc_out,
            dynamic_axes={n: {0: "batch"} for n in enc_in + enc_out}, opset_version=17)
        torch.onnx.export(
            decoder,
            (torch.zeros(1, 1, dtype=torch.int32), torch.ones(1, dtype=torch.int32),
             torch.zeros(PRED_LAYERS, 1, PRED_HIDDEN), torch.zeros(PRED_LAYERS, 1, PRED_HIDDEN)),
            paths["decoder"], input_names=dec_in, output_names=dec_out,
            dynamic_axes={"targets": {0: "batch"}, "target_length": {0: "batch"}, "states.1": {1: "batch"},
                          "onnx::LSTM_3": {1: "batch"}, "outputs": {0: "batch"}, "prednet_lengths": {0: "batch"},
                          "states": {1: "batch"}, "74": {1: "batch"}},
            opset_version=17)
        torch.onnx.export(
            joiner, (torch.zeros(1, D_MODEL, 1), torch.zeros(1, PRED_HIDDEN, 1)), paths["joiner"],
            input_names=["encoder_outputs", "decoder_outputs"], output_names=["outputs"],
            dynamic_axes={"encoder_outputs": {0: "batch", 2: "T"}, "decoder_outputs": {0: "batch", 2: "U"},
                          "outputs": {0: "batch", 1: "T", 2: "U"}},
            opset_version=17)
    # the encoder's metadata as export-onnx-transducer.py writes it (every value a string)
    with_metadata(paths["encoder"], {
        "vocab_size": VOCAB,
        "window_size": ctc.WINDOW,
        "chunk_shift": ctc.CHUNK,
        "normalize_type": "",
        "cache_last_channel_dim1": L,
        "cache_last_channel_dim2": ctc.LEFT_CONTEXT,
        "cache_last_channel_dim3": D_MODEL,
        "cache_last_time_dim1": L,
        "cache_last_time_dim2": D_MODEL,
        "cache_last_time_dim3": ctc.CFG.kernel - 1,
        "pred_rnn_layers": PRED_LAYERS,
        "pred_hidden": PRED_HIDDEN,
        "subsampling_factor": ctc.SUBSAMPLING,
        "model_type": "EncDecHybridRNNTCTCBPEModel",
        "version": "1",
        "model_author": "NeMo",
        "url": "earshot test fixture (random weights), made by src/engine/testdata/make_nemo_transducer_fixture.py",
        "comment": "Only the transducer branch is exported",
    })
    pieces = [line.rsplit(" ", 1)[0] for line in open(os.path.join(ctc.ROOT, "models", "en-default", "tokens.txt"))
              if line.strip()][:VOCAB]
    with open(os.path.join(OUT, "tokens.txt"), "w", encoding="utf-8") as f:
        for i, s in enumerate(pieces):
            f.write(f"{s} {i}\n")
        f.write(f"<blk> {len(pieces)}\n")
    for path in paths.values():
        print(f"{path}: {os.path.getsize(path)} bytes")


@torch.no_grad()
def check(encoder, decoder, joiner, wav_path):
    from make_nemo_fbank_fixture import nemo_fbank
    with wave.open(wav_path) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    pcm = np.concatenate([pcm, np.zeros(16000 * 3 // 10 + 160, dtype=np.int16)])
    feats = torch.from_numpy(nemo_fbank(pcm)).float()  # [T, 80]
    L = ctc.CFG.layers
    caches = (torch.zeros(1, L, ctc.LEFT_CONTEXT, D_MODEL), torch.zeros(1, L, D_MODEL, ctc.CFG.kernel - 1),
              torch.zeros(1, dtype=torch.int64))
    h = c = torch.zeros(PRED_LAYERS, 1, PRED_HIDDEN)
    g, _, h, c = decoder(torch.tensor([[BLANK]], dtype=torch.int32), torch.ones(1, dtype=torch.int32), h, c)
    tokens, per_frame, start = [], [], 0
    while start + ctc.WINDOW < feats.shape[0]:
        x = feats[start:start + ctc.WINDOW].T[None]
        out, _, *caches = encoder(x, torch.tensor([ctc.WINDOW]), *caches)
        start += ctc.CHUNK
        for t in range(out.shape[2]):
            n = 0
            while n < MAX_SYMBOLS:
                y = int(joiner(out[:, :, t:t + 1], g)[0, 0, 0].argmax())
                if y == BLANK:
                    break
                tokens.append(y)
                n += 1
                g, _, h, c = decoder(torch.tensor([[y]], dtype=torch.int32), torch.ones(1, dtype=torch.int32), h, c)
            per_frame.append(n)
    per_frame = np.array(per_frame)
    print(f"{os.path.basename(wav_path)}: {len(per_frame)} frames, symbols on {np.mean(per_frame > 0):.2f} of them, "
          f"{np.bincount(per_frame).tolist()} frames with 0, 1, ... symbols, {len(tokens)} tokens, "
          f"{len(set(tokens))} distinct")


def main():
    encoder, decoder, joiner = build()
    if sys.argv[1:2] == ["--check"]:
        for path in sys.argv[2:]:
            check(encoder, decoder, joiner, path)
        return
    export(encoder, decoder, joiner)


if __name__ == "__main__":
    main()
