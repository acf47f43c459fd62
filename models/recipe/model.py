"""Cache-aware streaming conformer with a CTC head.

Streaming is exact: training runs whole utterances with the same chunked attention mask,
causal convolutions and per-chunk subsampling that inference runs chunk by chunk with caches,
so the exported model (model-interface.md) sees what it was trained on.

Per call: `chunk` feature frames in -> chunk/4 output frames. Caches, batch first:
  cache_last_channel [B, layers, left_context, d]    attention inputs of the last frames
  cache_last_time    [B, layers, d, kernel - 1]      depthwise-convolution inputs
  cache_last_channel_len [B]                          valid frames in cache_last_channel
"""
from dataclasses import dataclass, asdict
import math
import torch
from torch import nn
import torch.nn.functional as F


@dataclass
class Config:
    vocab_size: int = 256       # word pieces, without the blank
    n_mels: int = 80
    d_model: int = 144
    layers: int = 8
    heads: int = 4
    ff_mult: int = 4
    kernel: int = 15
    chunk: int = 16             # feature frames per call (160 ms)
    left_context: int = 64      # output frames of attention history (2.56 s)
    sub_channels: int = 64
    dropout: float = 0.1


class Subsampling(nn.Module):
    """4x time reduction, applied to each chunk on its own so that streaming needs no cache."""

    def __init__(self, cfg: Config):
        super().__init__()
        c = cfg.sub_channels
        self.conv1 = nn.Conv2d(1, c, 3, stride=2, padding=1)
        self.dw = nn.Conv2d(c, c, 3, stride=2, padding=1, groups=c)
        self.pw = nn.Conv2d(c, c, 1)
        self.out = nn.Linear(c * ((cfg.n_mels + 3) // 4), cfg.d_model)
        self.norm = nn.LayerNorm(cfg.d_model)  # keeps the level of the audio from swamping early training

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # [N, T, 80] -> [N, T/4, d]
        x = F.relu(self.conv1(x.unsqueeze(1)))
        x = F.relu(self.pw(self.dw(x)))
        n, c, t, f = x.shape
        return self.norm(self.out(x.transpose(1, 2).reshape(n, t, c * f)))


class FeedForward(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.net = nn.Sequential(nn.LayerNorm(cfg.d_model), nn.Linear(cfg.d_model, cfg.d_model * cfg.ff_mult), nn.SiLU(),
                                 nn.Dropout(cfg.dropout), nn.Linear(cfg.d_model * cfg.ff_mult, cfg.d_model), nn.Dropout(cfg.dropout))

    def forward(self, x):
        return self.net(x)


def alibi_slopes(heads: int) -> torch.Tensor:
    return torch.tensor([2 ** (-8 * (h + 1) / heads) for h in range(heads)])


class Attention(nn.Module):
    """Multi-head self-attention with ALiBi distance bias; keys = cached frames + this chunk."""

    def __init__(self, cfg: Config):
        super().__init__()
        self.h, self.d = cfg.heads, cfg.d_model
        self.norm = nn.LayerNorm(cfg.d_model)
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)
        self.register_buffer("slopes", alibi_slopes(cfg.heads).view(1, -1, 1, 1), persistent=False)

    def attend(self, q_in, kv_in, bias_mask):
        b, tq, _ = q_in.shape
        tk = kv_in.shape[1]
        hd = self.d // self.h
        wq, wk, wv = self.qkv.weight.chunk(3, 0)
        bq, bk, bv = self.qkv.bias.chunk(3, 0)
        q = F.linear(q_in, wq, bq).view(b, tq, self.h, hd).transpose(1, 2)
        k = F.linear(kv_in, wk, bk).view(b, tk, self.h, hd).transpose(1, 2)
        v = F.linear(kv_in, wv, bv).view(b, tk, self.h, hd).transpose(1, 2)
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd) + bias_mask
        out = torch.softmax(scores, -1) @ v
        return self.drop(self.proj(out.transpose(1, 2).reshape(b, tq, self.d)))


class ConvModule(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.norm = nn.LayerNorm(cfg.d_model)
        self.pw1 = nn.Linear(cfg.d_model, 2 * cfg.d_model)
        self.dw = nn.Conv1d(cfg.d_model, cfg.d_model, cfg.kernel, groups=cfg.d_model)
        self.norm2 = nn.LayerNorm(cfg.d_model)
        self.pw2 = nn.Linear(cfg.d_model, cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x, cache):  # x [B, T, d], cache [B, d, k-1] -> out, new cache
        y = F.glu(self.pw1(self.norm(x)), dim=-1).transpose(1, 2)
        y = torch.cat([cache, y], dim=2)
        new_cache = y[:, :, -(self.dw.kernel_size[0] - 1):]
        y = self.dw(y).transpose(1, 2)
        return self.drop(self.pw2(F.silu(self.norm2(y)))), new_cache


class Block(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.ff1, self.ff2 = FeedForward(cfg), FeedForward(cfg)
        self.att = Attention(cfg)
        self.conv = ConvModule(cfg)

    def forward(self, x, att_cache, conv_cache, bias_mask):
        x = x + 0.5 * self.ff1(x)
        a = self.att.norm(x)
        kv = a if att_cache is None else torch.cat([att_cache, a], dim=1)
        x = x + self.att.attend(a, kv, bias_mask)
        c, new_conv = self.conv(x, conv_cache)
        x = x + c
        x = x + 0.5 * self.ff2(x)  # pre-norm residual blocks: stable at high learning rates
        return x, kv, new_conv


class StreamingConformer(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.cfg = cfg
        self.register_buffer("feat_mean", torch.zeros(cfg.n_mels))
        self.register_buffer("feat_std", torch.ones(cfg.n_mels))
        self.sub = Subsampling(cfg)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.layers))
        self.final_norm = nn.LayerNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, cfg.vocab_size + 1)

    def subsample(self, feats):  # [B, T, 80], T a multiple of chunk -> [B, T/4, d]
        b, t, m = feats.shape
        x = (feats - self.feat_mean) / self.feat_std
        x = self.sub(x.reshape(b * t // self.cfg.chunk, self.cfg.chunk, m))
        return x.reshape(b, t // 4, -1)

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        """Training: whole utterances [B, T, 80] (T padded to a multiple of chunk) -> log-probs [B, T/4, V+1]."""
        x = self.subsample(feats)
        t = x.shape[1]
        c = self.cfg.chunk // 4
        pos = torch.arange(t, device=x.device)
        chunk_start = (pos // c) * c
        visible = (pos[None, :] < (chunk_start + c)[:, None]) & (pos[None, :] >= (chunk_start - self.cfg.left_context)[:, None])
        dist = (pos[:, None] - pos[None, :]).abs().float()
        bias = -self.blocks[0].att.slopes * dist + (~visible).float() * -1e9
        b = x.shape[0]
        zeros = x.new_zeros(b, self.cfg.d_model, self.cfg.kernel - 1)
        for blk in self.blocks:
            x, _, _ = blk(x, None, zeros, bias)
        return F.log_softmax(self.head(self.final_norm(x)), -1)

    def forward_chunk(self, feats, length, cache_ch, cache_t, cache_len):
        """Streaming: feats [B, 80, chunk] -> (log-probs [B, chunk/4, V+1], lengths, caches)."""
        x = self.subsample(feats.transpose(1, 2))
        b, c, _ = x.shape
        left = self.cfg.left_context
        k_pos = torch.arange(left + c, device=x.device) - left  # cache frames are negative positions
        q_pos = torch.arange(c, device=x.device)
        dist = (q_pos[:, None] - k_pos[None, :]).abs().float()
        valid = k_pos[None, :] >= -cache_len[:, None]  # [B, left + c]
        bias = -self.blocks[0].att.slopes * dist + ((~valid).float() * -1e9)[:, None, None, :]
        new_ch, new_t = [], []
        for i, blk in enumerate(self.blocks):
            x, kv, conv = blk(x, cache_ch[:, i], cache_t[:, i], bias)
            new_ch.append(kv[:, -left:])
            new_t.append(conv)
        logp = F.log_softmax(self.head(self.final_norm(x)), -1)
        out_len = torch.full_like(length, c) if length is not None else None
        return logp, out_len, torch.stack(new_ch, 1), torch.stack(new_t, 1), torch.clamp(cache_len + c, max=left)

    def init_caches(self, b: int):
        cfg = self.cfg
        return (torch.zeros(b, cfg.layers, cfg.left_context, cfg.d_model), torch.zeros(b, cfg.layers, cfg.d_model, cfg.kernel - 1),
                torch.zeros(b, dtype=torch.int64))
