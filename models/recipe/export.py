"""Stage 4: export a checkpoint to the streaming interface of model-interface.md.

Usage: export.py CKPT LANG_DIR OUT_DIR --name en-default [--languages en] [--wer-json FILE]
Writes OUT_DIR/model.onnx (with metadata), tokens.txt and model.json (files with SHA-256).
"""
import argparse, datetime, hashlib, json, os, subprocess
import onnx
import torch
from model import Config, StreamingConformer


class Exported(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, features, length, cache_last_channel, cache_last_time, cache_last_channel_len):
        return self.model.forward_chunk(features, length, cache_last_channel, cache_last_time, cache_last_channel_len)


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ckpt")
    ap.add_argument("lang")
    ap.add_argument("out")
    ap.add_argument("--name", required=True)
    ap.add_argument("--languages", default="en")
    ap.add_argument("--wer-json", default="")
    ap.add_argument("--trained-on", default="synthetic speech (espeak-ng, flite, festival) with augmentation, LJ Speech and FSDD training splits")
    ap.add_argument("--trained-with", default="CPU", help="the hardware and stages, for the manifest")
    args = ap.parse_args()
    ckpt = torch.load(args.ckpt)
    cfg = Config(**ckpt["config"])
    model = StreamingConformer(cfg)
    model.load_state_dict(ckpt["model"])
    model.eval()
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "model.onnx")
    caches = model.init_caches(1)
    inputs = (torch.zeros(1, cfg.n_mels, cfg.chunk), torch.full((1,), cfg.chunk, dtype=torch.int64), *caches)
    names_in = ["audio_signal", "length", "cache_last_channel", "cache_last_time", "cache_last_channel_len"]
    names_out = ["log_probs", "encoded_lengths", "cache_last_channel_next", "cache_last_time_next", "cache_last_channel_next_len"]
    torch.onnx.export(Exported(model), inputs, onnx_path, input_names=names_in, output_names=names_out,
                      dynamic_axes={n: {0: "batch"} for n in names_in + names_out}, opset_version=17)
    meta = {"vocab_size": cfg.vocab_size, "window_size": cfg.chunk, "chunk_shift": cfg.chunk, "subsampling_factor": 4,
            "cache_last_channel_dim1": cfg.layers, "cache_last_channel_dim2": cfg.left_context,
            "cache_last_channel_dim3": cfg.d_model, "cache_last_time_dim1": cfg.layers,
            "cache_last_time_dim2": cfg.d_model, "cache_last_time_dim3": cfg.kernel - 1}
    m = onnx.load(onnx_path)
    for k, v in {**meta, "model_type": "EncDecCTCModelBPE", "normalize_type": "", "model_author": "earshot"}.items():
        entry = m.metadata_props.add()
        entry.key, entry.value = k, str(v)
    onnx.save(m, onnx_path)
    tokens_src = os.path.join(args.lang, "tokens.txt")
    tokens_dst = os.path.join(args.out, "tokens.txt")
    with open(tokens_src) as src, open(tokens_dst, "w") as dst:
        dst.write(src.read())
    try:
        revision = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                  cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip() or "uncommitted"
    except OSError:
        revision = "unknown"
    manifest = {
        "name": args.name,
        "version": datetime.date.today().isoformat(),
        "languages": args.languages.split(","),
        "sample_rate": 16000,
        "frontend": {"type": "kaldi-fbank", "num_mel_bins": 80, "frame_length_ms": 25, "frame_shift_ms": 10,
                     "dither": 0, "preemphasis": 0.97, "window": "povey", "low_freq": 20, "high_freq": -400,
                     "snip_edges": False},
        "streaming": {**meta, "chunk_ms": cfg.chunk * 10, "left_context_ms": cfg.left_context * 40},
        "architecture": {"type": "cache-aware streaming conformer CTC", "parameters": sum(p.numel() for p in model.parameters()),
                         "layers": cfg.layers, "d_model": cfg.d_model, "heads": cfg.heads, "kernel": cfg.kernel},
        "vocabulary": "tokens.txt",
        "output": "lowercase words without punctuation (formatting is applied by the server)",
        "files": {"model.onnx": sha256(onnx_path), "tokens.txt": sha256(tokens_dst)},
        "training": {"data": args.trained_on, "hardware": args.trained_with, "steps": ckpt["step"],
                     "recipe_revision": revision},
        "evaluation": json.load(open(args.wer_json)) if args.wer_json else {},
    }
    json.dump(manifest, open(os.path.join(args.out, "model.json"), "w"), indent=2)
    print(f"export: {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
