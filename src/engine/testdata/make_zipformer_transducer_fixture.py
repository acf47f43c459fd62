#!/usr/bin/python3
"""Writes zipformer-transducer-fixture/: a tiny stand-in for a sherpa-onnx zoo directory of an icefall
streaming Zipformer transducer (`sherpa-onnx-streaming-zipformer-en-2023-06-26` and the like:
encoder-*.onnx, decoder-*.onnx, joiner-*.onnx, tokens.txt, no model.json).

The interface is the one icefall's egs/librispeech/ASR/zipformer/export-onnx-streaming.py gives, as
sherpa-onnx's OnlineZipformer2TransducerModel reads it:

  encoder  the streaming Zipformer's: x [N, T, 80] and the per-layer states in, encoder_out
           [N, decode_chunk_len / 4, joiner_dim] and the next states out, with the metadata
           make_zipformer_ctc_fixture.py describes (the encoder below is that fixture's, with the
           CTC head replaced by the encoder projection to joiner_dim)
  decoder  y [N, context_size] int64 -> decoder_out [N, joiner_dim] (icefall's stateless decoder:
           an embedding, a grouped convolution over the context, ReLU, the projection to joiner_dim);
           metadata context_size, vocab_size
  joiner   encoder_out [N, joiner_dim], decoder_out [N, joiner_dim] -> logit [N, vocab_size]
           (tanh of the sum, then a linear layer); metadata joiner_dim

Random weights (seed 26), the blank <blk> is id 0, <unk> 1, then en-default's pieces: transcripts are
gibberish, but every symbol depends on the features (the encoder's frames also get a direct path from their
own feature frames, or random layers give nearly the same frames for any audio), the encoder states and the
decoder's context; a symbol comes on about half the frames, and <unk> wins some (they must count as blanks).
About 0.13 MB in all.

Run with the Debian interpreter that has torch and onnx (python3-torch, python3-onnx):
    /usr/bin/python3 src/engine/testdata/make_zipformer_transducer_fixture.py
"""
import os
import sys

import onnx
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_zipformer_ctc_fixture as zipformer  # noqa: E402

OUT = os.path.join(HERE, "zipformer-transducer-fixture")
SUFFIX = "epoch-99-avg-1-chunk-16-left-128.onnx"
CONTEXT_SIZE = 2
DECODER_DIM = 16
JOINER_DIM = 16
VOCAB = zipformer.VOCAB
# encoder head, decoder projection and joiner weight scales, blank bias: symbols on about half the
# frames, 15-20 distinct ones per recording (chosen by trying a few on the test WAVs)
BLEND = (1.0, 1.0, 3.0, 4.0)
UNK_BIAS = 3.0


class Encoder(zipformer.FixtureZipformerCtc):
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(zipformer.ENCODER_DIMS[0], JOINER_DIM)
        # a direct path from each output frame's own 4 feature frames, so that the symbols follow
        # the audio strongly (the random layers alone give nearly the same frames for any input)
        self.direct = nn.Linear(zipformer.N_MELS, JOINER_DIM)

    def forward(self, x, states):
        y, new_states = self.encode(x, states)
        frames = x[:, :zipformer.DECODE_CHUNK_LEN].reshape(x.shape[0], zipformer.OUT_FRAMES, 4, -1).mean(2)
        centred = frames - frames.mean(2, keepdim=True)
        return [self.head(y) + self.direct(centred)] + new_states


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, DECODER_DIM)
        self.conv = nn.Conv1d(DECODER_DIM, DECODER_DIM, CONTEXT_SIZE, groups=DECODER_DIM // 4, bias=False)
        self.proj = nn.Linear(DECODER_DIM, JOINER_DIM)

    def forward(self, y):
        e = self.embedding(y.clamp(min=0)).permute(0, 2, 1)  # [N, D, context]
        return self.proj(torch.relu(self.conv(e)).squeeze(2))


class Joiner(nn.Module):
    def __init__(self):
        super().__init__()
        self.out = nn.Linear(JOINER_DIM, VOCAB)

    def forward(self, encoder_out, decoder_out):
        return self.out(torch.tanh(encoder_out + decoder_out))


def with_metadata(path, meta):
    m = onnx.load(path)
    del m.metadata_props[:]
    for key, value in meta.items():
        entry = m.metadata_props.add()
        entry.key, entry.value = key, str(value)
    onnx.save(m, path)


def main():
    torch.manual_seed(26)
    encoder, decoder, joiner = Encoder().eval(), Decoder().eval(), Joiner().eval()
    with torch.no_grad():
        # the encoder's frames weigh more than the decoder's context, the logits are sharp enough
        # that float noise decides no symbol, and the blank wins about half the frames
        encoder.head.weight.mul_(BLEND[0])
        decoder.proj.weight.mul_(BLEND[1])
        joiner.out.bias.zero_()
        joiner.out.weight.mul_(BLEND[2])
        joiner.out.bias[0] = BLEND[3]
        joiner.out.bias[1] = UNK_BIAS  # <unk>: wins some frames, which must come out as blanks
    os.makedirs(OUT, exist_ok=True)
    states, state_names = zipformer.init_states()
    batch_axis = {n: ({1: "N"} if n.startswith(("cached_key", "cached_nonlin", "cached_val")) else {0: "N"})
                  for n in state_names}
    paths = {part: os.path.join(OUT, f"{part}-{SUFFIX}") for part in ("encoder", "decoder", "joiner")}
    with torch.no_grad():
        torch.onnx.export(
            encoder, (torch.zeros(1, zipformer.T, zipformer.N_MELS), states), paths["encoder"],
            input_names=["x"] + state_names,
            output_names=["encoder_out"] + [f"new_{n}" for n in state_names],
            dynamic_axes={"x": {0: "N"}, "encoder_out": {0: "N"}, **batch_axis,
                          **{f"new_{n}": a for n, a in batch_axis.items()}},
            opset_version=13)
        torch.onnx.export(
            decoder, (torch.zeros(1, CONTEXT_SIZE, dtype=torch.int64),), paths["decoder"],
            input_names=["y"], output_names=["decoder_out"],
            dynamic_axes={"y": {0: "N"}, "decoder_out": {0: "N"}}, opset_version=13)
        torch.onnx.export(
            joiner, (torch.zeros(1, JOINER_DIM), torch.zeros(1, JOINER_DIM)), paths["joiner"],
            input_names=["encoder_out", "decoder_out"], output_names=["logit"],
            dynamic_axes={"encoder_out": {0: "N"}, "decoder_out": {0: "N"}, "logit": {0: "N"}},
            opset_version=13)
    encoder_meta = zipformer.encoder_metadata()
    encoder_meta["comment"] = ("streaming zipformer2 (earshot test fixture, random weights, made by "
                               "src/engine/testdata/make_zipformer_transducer_fixture.py)")
    with_metadata(paths["encoder"], encoder_meta)
    with_metadata(paths["decoder"], {"context_size": CONTEXT_SIZE, "vocab_size": VOCAB})
    with_metadata(paths["joiner"], {"joiner_dim": JOINER_DIM})
    zipformer.write_tokens(OUT)
    for path in paths.values():
        print(f"{path}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
