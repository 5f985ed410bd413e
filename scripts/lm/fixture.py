"""The engine's independent oracle: PyTorch autograd on the shipped weights.

    /usr/bin/python3 scripts/lm/fixture.py      # writes test/fixtures/lm/pytorch.safetensors

For two packed rows of 32 tokens (row 0 holds two sequences, positions restarting at the second;
row 1 one sequence and padding), with loss weights on some positions, it stores:
  - the inputs (tokens, targets, weights, positions, segments),
  - full fine-tuning: the logits, the loss, and the gradient of every parameter (its L2 norm,
    and the first 1024 entries of six tensors),
  - LoRA r=2, alpha=4 on all seven linear layers with given A and B (B non-zero, so A gets a
    gradient): the loss and the gradients of every A and B,
  - DoRA on q_proj and down_proj with the same A and B: the loss and the gradients of A, B and m;
  - a reward model (full fine-tuning of the body, a score vector w drawn here): two sequences, one
    per row and padded, each read at its last token, r = h . w as LlamaForSequenceClassification
    reads it; TRL's RewardTrainer loss -log sigmoid(r_1 - r_0) + 0.01 (r_1 + r_0)^2; the rewards,
    the loss, w's gradient and the norm of every body parameter's gradient.
The test (test/unit/kernels/lm/pytorch-fixture.test.ts, and its GPU twin) feeds the same inputs to
our engine and compares.
"""
import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
from llama import Lora, load_model, next_token_loss, save_safetensors  # noqa: E402

MODEL_DIR = sys.argv[1] if len(sys.argv) > 1 else "public/models/tiny-llama"
OUT = sys.argv[2] if len(sys.argv) > 2 else "test/fixtures/lm/pytorch.safetensors"
MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
SLICES = [
    "model.embed_tokens.weight",
    "model.layers.0.self_attn.q_proj.weight",
    "model.layers.1.self_attn.v_proj.weight",
    "model.layers.3.mlp.down_proj.weight",
    "model.layers.2.input_layernorm.weight",
    "lm_head.weight",
]


def inputs(vocab):
    def ids(text):
        return [vocab[c] for c in text]

    T = 32
    a = [vocab["<s>"]] + ids("Oslo is the capital of Norw")  # 28 tokens
    b = [vocab["<s>"]] + ids("A cow says moo.")  # 16 tokens
    c = [vocab["<s>"]] + ids("Q: What is 2 plus 3?\nA: 2 plus 3 is 5.".replace("\n", " "))
    rows = []
    # Row 0: sequence a (first 20 inputs) then sequence b (12 inputs), positions restart.
    seq0 = [(a, 20, 0), (b, 12, 1)]
    # Row 1: sequence c (26 inputs) and 6 padding positions in their own segment.
    seq1 = [(c, 26, 0)]
    tokens, targets, weights, positions, segments = [], [], [], [], []
    pad = vocab["<pad>"]
    for row in (seq0, seq1):
        t, y, w, p, s = [], [], [], [], []
        for seq, n, seg in row:
            t += seq[:n]
            y += seq[1 : n + 1]
            p += list(range(n))
            s += [seg] * n
            w += [1.0 if i % 3 != 0 else 0.0 for i in range(n)]  # some positions carry no loss
        while len(t) < T:
            t.append(pad)
            y.append(pad)
            p.append(0)
            s.append(99)
            w.append(0.0)
        tokens.append(t)
        targets.append(y)
        weights.append(w)
        positions.append(p)
        segments.append(s)
    return [torch.tensor(v) for v in (tokens, targets, weights, positions, segments)]


def main():
    torch.manual_seed(1234)
    model = load_model(MODEL_DIR)
    with open(f"{MODEL_DIR}/tokenizer.json") as f:
        vocab = json.load(f)["model"]["vocab"]
    tokens, targets, weights, positions, segments = inputs(vocab)
    out = {
        "tokens": tokens.int(),
        "targets": targets.int(),
        "weights": weights.float(),
        "positions": positions.int(),
        "segments": segments.int(),
    }

    # Full fine-tuning.
    logits = model(tokens, positions, segments)
    loss = next_token_loss(logits, targets, weights)
    loss.backward()
    out["full.logits"] = logits.detach()
    out["full.loss"] = loss.detach().reshape(1)
    names = [n for n, _ in model.named_parameters()]
    out["full.grad_norms"] = torch.tensor([p.grad.norm().item() for _, p in model.named_parameters()], dtype=torch.float64).float()
    for n, p in model.named_parameters():
        if n in SLICES:
            out[f"full.grad_slice.{n}"] = p.grad.reshape(-1)[:1024].clone()

    # LoRA and DoRA on the same inputs, with A and B drawn here and stored for the engine.
    for kind, modules in (("lora", MODULES), ("dora", ["q_proj", "down_proj"])):
        m = load_model(MODEL_DIR)
        for p in m.parameters():
            p.requires_grad_(False)
        adapters = {}
        for layer_index, layer in enumerate(m.model.layers):
            for name in modules:
                parent = layer.self_attn if hasattr(layer.self_attn, name) else layer.mlp
                base = getattr(parent, name)
                lora = Lora(base, r=2, alpha=4, dora=(kind == "dora"))
                g = torch.Generator().manual_seed(1000 * layer_index + MODULES.index(name))
                lora.lora_A.weight.data = torch.randn(lora.lora_A.weight.shape, generator=g) * 0.05
                lora.lora_B.weight.data = torch.randn(lora.lora_B.weight.shape, generator=g) * 0.05
                setattr(parent, name, lora)
                group = "self_attn" if parent is layer.self_attn else "mlp"
                prefix = f"base_model.model.model.layers.{layer_index}.{group}.{name}"
                adapters[prefix] = lora
                out[f"{kind}.{prefix}.lora_A.weight"] = lora.lora_A.weight.detach().clone()
                out[f"{kind}.{prefix}.lora_B.weight"] = lora.lora_B.weight.detach().clone()
        loss = next_token_loss(m(tokens, positions, segments), targets, weights)
        loss.backward()
        out[f"{kind}.loss"] = loss.detach().reshape(1)
        for prefix, lora in adapters.items():
            out[f"{kind}.grad.{prefix}.lora_A.weight"] = lora.lora_A.weight.grad.clone()
            out[f"{kind}.grad.{prefix}.lora_B.weight"] = lora.lora_B.weight.grad.clone()
            if kind == "dora":
                out[f"{kind}.grad.{prefix}.lora_magnitude_vector"] = lora.lora_magnitude_vector.grad.clone()

    # The reward model.
    m = load_model(MODEL_DIR)
    reward_ids = [[vocab["<s>"]] + [vocab[c] for c in "A cow says moo."], [vocab["<s>"]] + [vocab[c] for c in "Q: What is 2 plus 3? A: 2"]]
    T = 32
    pad = vocab["<pad>"]
    r_tokens = torch.tensor([ids + [pad] * (T - len(ids)) for ids in reward_ids])
    r_positions = torch.tensor([list(range(len(ids))) + [0] * (T - len(ids)) for ids in reward_ids])
    r_segments = torch.tensor([[0] * len(ids) + [99] * (T - len(ids)) for ids in reward_ids])
    w = (torch.randn(m.config["hidden_size"], generator=torch.Generator().manual_seed(77)) * 0.05).requires_grad_(True)
    h = m.hidden(r_tokens, r_positions, r_segments)
    rewards = torch.stack([h[k, len(ids) - 1] @ w for k, ids in enumerate(reward_ids)])
    r_loss = -nn.functional.logsigmoid(rewards[1] - rewards[0]) + 0.01 * (rewards[1] + rewards[0]) ** 2
    r_loss.backward()
    out["reward.score"] = w.detach().clone()
    out["reward.rewards"] = rewards.detach()
    out["reward.loss"] = r_loss.detach().reshape(1)
    out["reward.grad.score"] = w.grad.clone()
    body = [(n, p) for n, p in m.named_parameters() if n != "lm_head.weight"]
    out["reward.grad_norms"] = torch.tensor([p.grad.norm().item() for _, p in body], dtype=torch.float64).float()
    reward_order = [n for n, _ in body]

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    ints = {k: v for k, v in out.items() if v.dtype == torch.int32}
    floats = {k: v.float() for k, v in out.items() if v.dtype != torch.int32}
    save_safetensors(
        OUT,
        floats,
        "F32",
        {"parameter_order": json.dumps(names), "reward_parameter_order": json.dumps(reward_order), "torch": torch.__version__},
    )
    # Integer inputs go in a small JSON beside it (the hand-written writer stores floats only).
    with open(OUT.replace(".safetensors", "-inputs.json"), "w") as f:
        json.dump({**{k: v.tolist() for k, v in ints.items()}, "reward.ids": reward_ids}, f)
    print(f"wrote {OUT}: full loss {out['full.loss'].item():.6f}, LoRA loss {out['lora.loss'].item():.6f}, DoRA loss {out['dora.loss'].item():.6f}, reward-model loss {out['reward.loss'].item():.6f}")


if __name__ == "__main__":
    main()
