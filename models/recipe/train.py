"""Stage 3: train the streaming conformer with CTC on the feature shards.

Usage: train.py FEATS_DIR LANG_DIR EXP_DIR [--steps N] [--seed N] [--config key=value ...]
Resumable: EXP_DIR/last.pt holds model, optimizer, step and RNG state; rerun the same command.
Shards that appear while training runs (synth.py still writing) are picked up at each epoch, and
training waits for the first one. On a GPU (`--device cuda`, the default when one is visible) the
matrix work runs in bf16; `--minutes M` sets the schedule by time instead of steps, for a lease.
"""
import argparse, glob, json, math, os, random, time
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch
import torch.nn.functional as F
import sentencepiece as spm
from model import Config, StreamingConformer
from tokenizer import encode_transcript


def load_shards(feats_dir, sp, cache):
    for path in sorted(glob.glob(os.path.join(feats_dir, "*shard-*.pt"))):
        if path not in cache:
            cache[path] = [(f, encode_transcript(sp, text)) for f, text, _ in torch.load(path)]
    return [item for items in cache.values() for item in items if item[1]]


def batches(items, max_frames, rng, shuffle=True):
    items = sorted(items, key=lambda x: x[0].shape[0])
    out, cur = [], []
    for item in items:
        if cur and (len(cur) + 1) * item[0].shape[0] > max_frames:
            out.append(cur)
            cur = []
        cur.append(item)
    if cur:
        out.append(cur)
    if shuffle:
        rng.shuffle(out)
    return out


def collate(batch, chunk):
    t_max = max(f.shape[0] for f, _ in batch)
    t_pad = math.ceil(t_max / chunk) * chunk
    feats = torch.zeros(len(batch), t_pad, batch[0][0].shape[1])
    for i, (f, _) in enumerate(batch):
        feats[i, : f.shape[0]] = f.float()
    in_lens = torch.tensor([math.ceil(f.shape[0] / 4) for f, _ in batch])
    targets = torch.tensor([t for _, ids in batch for t in ids])
    tgt_lens = torch.tensor([len(ids) for _, ids in batch])
    return feats, in_lens, targets, tgt_lens


def spec_augment(feats, rng, fill):
    """Masks with the mean feature (not zero: zero log-energy is a loud value)."""
    b, t, m = feats.shape
    for i in range(b):
        for _ in range(2):
            w = rng.randint(0, 12)
            f0 = rng.randint(0, m - w)
            feats[i, :, f0:f0 + w] = fill[f0:f0 + w]
        for _ in range(2):
            w = rng.randint(0, max(1, t // 25))
            t0 = rng.randint(0, max(0, t - w))
            feats[i, t0:t0 + w] = fill
    return feats


def feature_stats(items):
    sample = torch.cat([f.float() for f, _ in items[:2000]])
    return sample.mean(0), sample.std(0).clamp(min=1e-3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("feats")
    ap.add_argument("lang")
    ap.add_argument("exp")
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--max-frames", type=int, default=10000)
    ap.add_argument("--lr", type=float, default=1.5e-3)
    ap.add_argument("--warmup", type=int, default=400)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--log-every", type=int, default=50)
    ap.add_argument("--config", nargs="*", default=[])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--minutes", type=float, default=0, help="train for this long (the lr schedule follows time)")
    ap.add_argument("--init", default="", help="start from this checkpoint's weights (fresh optimizer and schedule)")
    ap.add_argument("--shuffle", action="store_true",
                    help="shuffle the first epoch too (fine-tuning: a stage shorter than an epoch would "
                         "otherwise see only the shorter utterances, and end on the longest)")
    args = ap.parse_args()
    device = torch.device(args.device)
    torch.set_num_threads(args.threads)
    os.makedirs(args.exp, exist_ok=True)
    sp = spm.SentencePieceProcessor(model_file=os.path.join(args.lang, "bpe.model"))
    overrides = {k: type(getattr(Config, k))(v) for k, v in (kv.split("=") for kv in args.config)}
    cfg = Config(vocab_size=sp.get_piece_size(), **overrides)
    torch.manual_seed(args.seed)
    model = StreamingConformer(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-3)
    rng = random.Random(args.seed)
    step, epoch, ckpt_path = 0, 0, os.path.join(args.exp, "last.pt")
    cache = {}
    items = load_shards(args.feats, sp, cache)
    while not items:
        print(f"train: waiting for shards in {args.feats}", flush=True)
        time.sleep(10)
        items = load_shards(args.feats, sp, cache)
    trained_s = 0.0
    if os.path.exists(ckpt_path):
        ckpt = torch.load(ckpt_path, weights_only=False)
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["opt"])
        step, rng, epoch = ckpt["step"], ckpt["rng"], ckpt.get("epoch", 0)
        trained_s = ckpt.get("trained_s", 0.0)
        torch.set_rng_state(ckpt["torch_rng"])
        print(f"train: resumed at step {step}")
    elif args.init:
        # Weights whose shape differs (the output layer, for another vocabulary) start fresh.
        own = model.state_dict()
        init = torch.load(args.init, map_location="cpu", weights_only=False)["model"]
        fresh = [k for k, v in init.items() if k not in own or own[k].shape != v.shape]
        model.load_state_dict({k: v for k, v in init.items() if k not in fresh}, strict=False)
        print(f"train: weights from {args.init}" + (f", fresh: {', '.join(fresh)}" if fresh else ""))
    else:
        model.feat_mean, model.feat_std = feature_stats(items)
    json.dump(vars(cfg) if hasattr(cfg, "__dict__") else {}, open(os.path.join(args.exp, "config.json"), "w"))
    print(f"train: {sum(p.numel() for p in model.parameters()) / 1e6:.2f}M parameters, {len(items)} utterances")

    model.to(device)
    opt.load_state_dict(opt.state_dict())  # moves a resumed optimizer's state to the device
    fill = model.feat_mean.cpu()
    start = time.time() - trained_s

    def save():
        state = {k: v.cpu() for k, v in model.state_dict().items()}
        torch.save({"model": state, "opt": opt.state_dict(), "step": step, "rng": rng, "epoch": epoch,
                    "torch_rng": torch.get_rng_state(), "config": vars(cfg), "trained_s": time.time() - start},
                   ckpt_path + ".tmp")
        os.replace(ckpt_path + ".tmp", ckpt_path)

    def progress():
        if args.minutes:
            return (time.time() - start) / (args.minutes * 60)
        return step / args.steps

    model.train()
    t0, frames, losses = time.time(), 0, []
    while progress() < 1:
        items = load_shards(args.feats, sp, cache)
        # SortaGrad: the first epoch runs from short to long utterances, which gets CTC past its
        # blank-only plateau much sooner; later epochs are shuffled.
        for batch in batches(items, args.max_frames, rng, shuffle=epoch > 0 or args.shuffle):
            if progress() >= 1:
                break
            lr = args.lr * min((step + 1) / args.warmup, 0.5 * (1 + math.cos(math.pi * min(1.0, progress()))))
            for g in opt.param_groups:
                g["lr"] = lr
            feats, in_lens, targets, tgt_lens = (t.to(device) for t in collate(batch, cfg.chunk))
            feats = spec_augment(feats, rng, fill.to(device))
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
                logp = model(feats)
            loss = F.ctc_loss(logp.float().transpose(0, 1), targets, in_lens, tgt_lens, blank=cfg.vocab_size,
                              reduction="sum", zero_infinity=True) / len(batch)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            step += 1
            frames += int(in_lens.sum()) * 4  # (a sync point; the loss below is one anyway)
            losses.append(loss.item())
            if step % args.log_every == 0:
                elapsed = time.time() - t0
                print(f"train: step {step} loss {sum(losses) / len(losses):.2f} lr {lr:.2e} "
                      f"{frames / 100 / elapsed:.1f}x real time, {len(items)} utts", flush=True)
                losses = []
            if step % 200 == 0:
                save()
        epoch += 1
    save()
    print("train: done")


if __name__ == "__main__":
    main()
