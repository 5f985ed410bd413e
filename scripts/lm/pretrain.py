"""Pretrains the tiny LLaMA on the generated corpus and writes public/models/tiny-llama/model.safetensors
(bfloat16), then the model card README.md with the settings, the held-out loss and samples.

    npm run lm:corpus -- /tmp/lm           # config, tokenizer and the token streams (TypeScript)
    /usr/bin/python3 scripts/lm/pretrain.py /tmp/lm

Deterministic: one seed for the initialisation and the data order, two CPU threads. Debian's
python3-torch (1.13) is enough; no GPU is needed (about half an hour on two cores).
"""
import json
import math
import sys
import time

import numpy as np
import torch

from llama import LlamaForCausalLM, load_safetensors, next_token_loss, save_safetensors

WORK = sys.argv[1] if len(sys.argv) > 1 else "node_modules/.cache/lm"
MODEL_DIR = "public/models/tiny-llama"
SETTINGS = {
    "seed": 0,
    "batch_size": 32,
    "sequence_length": 128,
    "steps": 1800,
    "optimizer": "AdamW",
    "peak_learning_rate": 3e-3,
    "betas": [0.9, 0.95],
    "weight_decay": 0.1,
    "warmup_steps": 100,
    "schedule": "linear warm-up, then cosine decay to 10% of the peak",
    "max_grad_norm": 1.0,
    "threads": 2,
}


def main():
    torch.manual_seed(SETTINGS["seed"])
    torch.set_num_threads(SETTINGS["threads"])
    with open(f"{MODEL_DIR}/config.json") as f:
        config = json.load(f)
    train = torch.from_numpy(np.fromfile(f"{WORK}/train.bin", dtype="<u2").astype(np.int64))
    heldout = torch.from_numpy(np.fromfile(f"{WORK}/heldout.bin", dtype="<u2").astype(np.int64))
    T, B = SETTINGS["sequence_length"], SETTINGS["batch_size"]
    heldout = heldout[: (len(heldout) // (T + 1)) * (T + 1)].view(-1, T + 1)

    model = LlamaForCausalLM(config)
    decay = [p for n, p in model.named_parameters() if p.dim() == 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": SETTINGS["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}],
        lr=SETTINGS["peak_learning_rate"],
        betas=tuple(SETTINGS["betas"]),
    )
    steps, warmup, peak = SETTINGS["steps"], SETTINGS["warmup_steps"], SETTINGS["peak_learning_rate"]

    def lr_at(step):
        if step < warmup:
            return peak * (step + 1) / warmup
        progress = (step - warmup) / max(1, steps - warmup)
        return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))

    # Consecutive windows of the stream in a seeded random order: every token is seen about once.
    windows = (len(train) - 1) // T
    order = torch.randperm(windows, generator=torch.Generator().manual_seed(SETTINGS["seed"]))
    ones = torch.ones(B, T)
    t0 = time.time()
    for step in range(steps):
        idx = order[(step * B + torch.arange(B)) % windows] * T
        batch = torch.stack([train[i : i + T + 1] for i in idx.tolist()])
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        loss = next_token_loss(model(batch[:, :-1]), batch[:, 1:], ones)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), SETTINGS["max_grad_norm"])
        opt.step()
        if step % 100 == 0 or step == steps - 1:
            print(f"step {step:5d}  loss {loss.item():.4f}  lr {lr_at(step):.2e}  {time.time() - t0:.0f} s", flush=True)
    SETTINGS["tokens_seen"] = steps * B * T
    SETTINGS["train_seconds"] = round(time.time() - t0)

    save_safetensors(f"{MODEL_DIR}/model.safetensors", dict(model.state_dict()), "BF16", {"format": "pt"})
    # Everything below is measured on the stored bfloat16 weights, computed in float32.
    model.load_state_dict(load_safetensors(f"{MODEL_DIR}/model.safetensors"))
    with open(f"{WORK}/pretrain-report.json", "w") as f:
        json.dump({"settings": SETTINGS, "heldout_loss": heldout_loss(model, heldout)}, f, indent=2)
    print(json.dumps({"heldout_loss": heldout_loss(model, heldout)}))


@torch.no_grad()
def heldout_loss(model, heldout):
    """Mean next-token cross-entropy over the held-out windows, in nats per token."""
    total, count = 0.0, 0
    for rows in heldout.split(16):
        logits = model(rows[:, :-1])
        ce = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), rows[:, 1:].reshape(-1), reduction="sum")
        total += ce.item()
        count += rows[:, 1:].numel()
    return total / count


if __name__ == "__main__":
    main()
