"""LlamaForCausalLM in plain PyTorch, written after transformers' modeling_llama.py (v4.46):
the same modules and names (so named_parameters() gives the state-dict names a Python user's
`LlamaForCausalLM.from_pretrained` expects), RMSNorm computed in float32, rotary embeddings with
rotate_half, causal softmax attention in float32, SwiGLU MLP, untied lm_head. Runs on Debian's
python3-torch (1.13), with safetensors read and written by hand (format: huggingface/safetensors).

Also the PEFT LoRA/DoRA forward (peft/tuners/lora/layer.py and dora.py, PEFT 0.13) for the fixture.
"""
import json
import math
import struct

import numpy as np
import torch
from torch import nn


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.variance_epsilon = eps

    def forward(self, x):
        dtype = x.dtype
        x = x.to(torch.float32)
        variance = x.pow(2).mean(-1, keepdim=True)
        x = x * torch.rsqrt(variance + self.variance_epsilon)
        return self.weight * x.to(dtype)


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)


def rope_cos_sin(positions, head_dim, theta):
    """positions: (B, T) long -> cos, sin of shape (B, T, head_dim), as LlamaRotaryEmbedding computes them."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64, device=positions.device).float() / head_dim))
    freqs = positions[..., None].float() * inv_freq[None, None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


class Lora(nn.Module):
    """PEFT's LoRA (and DoRA with use_dora) around a frozen nn.Linear: y = base(x) + s * B(A(x))."""

    def __init__(self, base, r, alpha, rslora=False, dora=False):
        super().__init__()
        self.base_layer = base
        self.lora_A = nn.Linear(base.in_features, r, bias=False)
        self.lora_B = nn.Linear(r, base.out_features, bias=False)
        self.scaling = alpha / math.sqrt(r) if rslora else alpha / r
        self.dora = dora
        if dora:
            self.lora_magnitude_vector = nn.Parameter(base.weight.detach().norm(p=2, dim=1).clone())

    def forward(self, x):
        if not self.dora:
            return self.base_layer(x) + self.scaling * self.lora_B(self.lora_A(x))
        # peft/tuners/lora/dora.py DoraLinearLayer.forward (no dropout): the norm is detached (section 4.3).
        lora_weight = self.lora_B.weight @ self.lora_A.weight
        weight = self.base_layer.weight
        weight_norm = (weight + self.scaling * lora_weight).norm(p=2, dim=1).detach()
        mag_norm_scale = (self.lora_magnitude_vector / weight_norm).view(1, -1)
        base = x @ weight.t()
        return (mag_norm_scale - 1) * base + mag_norm_scale * self.scaling * self.lora_B(self.lora_A(x)) + base


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, h, hd = c["hidden_size"], c["num_attention_heads"], c["head_dim"]
        self.h, self.hd, self.theta = h, hd, c["rope_theta"]
        self.q_proj = nn.Linear(d, h * hd, bias=False)
        self.k_proj = nn.Linear(d, h * hd, bias=False)
        self.v_proj = nn.Linear(d, h * hd, bias=False)
        self.o_proj = nn.Linear(h * hd, d, bias=False)

    def forward(self, x, positions, mask):
        B, T, _ = x.shape
        q = self.q_proj(x).view(B, T, self.h, self.hd).transpose(1, 2)
        k = self.k_proj(x).view(B, T, self.h, self.hd).transpose(1, 2)
        v = self.v_proj(x).view(B, T, self.h, self.hd).transpose(1, 2)
        cos, sin = rope_cos_sin(positions, self.hd, self.theta)
        cos, sin = cos[:, None], sin[:, None]
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(self.hd)
        scores = scores.masked_fill(~mask[:, None], float("-inf"))
        probs = torch.softmax(scores.float(), dim=-1).to(q.dtype)
        out = (probs @ v).transpose(1, 2).reshape(B, T, self.h * self.hd)
        return self.o_proj(out)


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, i = c["hidden_size"], c["intermediate_size"]
        self.gate_proj = nn.Linear(d, i, bias=False)
        self.up_proj = nn.Linear(d, i, bias=False)
        self.down_proj = nn.Linear(i, d, bias=False)

    def forward(self, x):
        return self.down_proj(nn.functional.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn = Attention(c)
        self.mlp = MLP(c)
        self.input_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])

    def forward(self, x, positions, mask):
        x = x + self.self_attn(self.input_layernorm(x), positions, mask)
        return x + self.mlp(self.post_attention_layernorm(x))


class LlamaModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList([DecoderLayer(c) for _ in range(c["num_hidden_layers"])])
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])


class LlamaForCausalLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.model = LlamaModel(c)
        self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        std = c["initializer_range"]
        for m in self.modules():  # transformers' LlamaPreTrainedModel._init_weights
            if isinstance(m, (nn.Linear, nn.Embedding)):
                m.weight.data.normal_(0.0, std)

    def forward(self, tokens, positions=None, segments=None):
        """tokens (B, T) -> logits (B, T, V)."""
        return self.lm_head(self.hidden(tokens, positions, segments))

    def hidden(self, tokens, positions=None, segments=None):
        """tokens (B, T) -> the final norm's output (B, T, d), what the heads read. Attention is causal
        and, when segments are given, limited to tokens of the same segment (packed sequences);
        positions default to 0..T-1."""
        B, T = tokens.shape
        if positions is None:
            positions = torch.arange(T, device=tokens.device).expand(B, T)
        mask = torch.tril(torch.ones(T, T, dtype=torch.bool, device=tokens.device))[None].expand(B, T, T)
        if segments is not None:
            mask = mask & (segments[:, :, None] == segments[:, None, :])
        x = self.model.embed_tokens(tokens)
        for layer in self.model.layers:
            x = layer(x, positions, mask)
        return self.model.norm(x)


def next_token_loss(logits, targets, weights):
    """Mean cross-entropy over the positions with weight 1 (transformers: labels -100 elsewhere)."""
    ce = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), targets.reshape(-1), reduction="none")
    w = weights.reshape(-1).float()
    return (ce * w).sum() / w.sum()


# ------------------------------------------------------------------ safetensors by hand

def _bf16_bits(t):
    """float32 tensor -> uint16 numpy array of bfloat16 bits (round to nearest even, as .to(torch.bfloat16))."""
    return t.detach().to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)


def save_safetensors(path, tensors, dtype="BF16", metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().float()
        blob = _bf16_bits(t).tobytes() if dtype == "BF16" else t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * ((8 - (8 + len(raw)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for blob in blobs:
            f.write(blob)


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = data[base + begin : base + end]
        if info["dtype"] == "BF16":
            bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            arr = bits.view(np.float32)
        elif info["dtype"] == "F32":
            arr = np.frombuffer(raw, dtype="<f4")
        else:
            raise ValueError(f"{name}: dtype {info['dtype']} not handled")
        out[name] = torch.from_numpy(arr.copy()).reshape(info["shape"])
    return out


def load_model(model_dir):
    with open(f"{model_dir}/config.json") as f:
        c = json.load(f)
    c.setdefault("head_dim", c["hidden_size"] // c["num_attention_heads"])
    model = LlamaForCausalLM(c)
    state = load_safetensors(f"{model_dir}/model.safetensors")
    missing = model.load_state_dict(state, strict=True)
    assert not missing.missing_keys and not missing.unexpected_keys, missing
    return model
