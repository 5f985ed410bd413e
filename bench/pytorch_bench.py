"""PyTorch's time for the work `npm run bench` times, so a GPU machine can give the ratio of ours
against PyTorch on the same GPU: float32 matmul GFLOP/s as bench/matmul.bench.ts measures it
(cuBLAS with TF32 off, so the same arithmetic as our WGSL kernels), the LoRA layer step of bench/lora.bench.ts (r = 4, alpha 8, Adam
lr 0.01; 64 to 4096 features, batches 32 and 128) and the tiny LLaMA LoRA step of
bench/lm.bench.ts (r = 8, alpha 16 on all seven linear layers, batch 4 x 128, Adam lr 0.003), each
eagerly and, on CUDA, replayed as one CUDA graph (forward, backward and Adam captured together, as
in PyTorch's "whole-network capture" example), the loss read back once per chunk of steps.

    python3 bench/pytorch_bench.py            # CUDA when available, else the CPU (eager only)
    python3 bench/pytorch_bench.py --device cpu

The model is scripts/lm/llama.py (transformers' LlamaForCausalLM in plain PyTorch) with random
weights: speed does not depend on their values. Works with Debian's python3-torch (1.13) and later.
"""
import argparse
import json
import os
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts", "lm"))
from llama import Lora, LlamaForCausalLM, next_token_loss  # noqa: E402

MIN_SECONDS = 1.0
LINEAR_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def units_per_second(work, device):
    """bench/timing.ts's rule: double the chunk until one takes 0.1 s (the warm-up), then time chunks for MIN_SECONDS."""
    count = 1
    while True:
        t0 = time.perf_counter()
        work(count)
        if time.perf_counter() - t0 >= 0.1:
            break
        count *= 2
    units, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < MIN_SECONDS:
        work(count)
        units += count
    return units / (time.perf_counter() - t0)


def timed_steps(step, batches, device, graphs):
    """Steps per second of `step(x, y)` over the batches, eager or replayed from one captured CUDA graph."""
    if not graphs:
        def work(count):
            for i in range(count):
                loss = step(*batches[i % len(batches)])
            loss.item()
        return units_per_second(work, device)
    static = [t.clone() for t in batches[0]]
    warm = torch.cuda.Stream()
    warm.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(warm):  # PyTorch's rule: a few eager steps on a side stream before capture
        for _ in range(3):
            step(*static)
    torch.cuda.current_stream().wait_stream(warm)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        static_loss = step(*static)

    def work(count):
        for i in range(count):
            for s, t in zip(static, batches[i % len(batches)]):
                s.copy_(t)
            graph.replay()
        static_loss.item()
    return units_per_second(work, device)


def matmul_gflops(size, form, device):
    """GFLOP/s of C = op(A) op(B) at size^3, the operands already on the device."""
    a = torch.randn(size, size, device=device)
    b = torch.randn(size, size, device=device)
    c = torch.empty(size, size, device=device)
    x = a.t() if form == "A^T B" else a
    y = b.t() if form == "A B^T" else b

    def work(count):
        for _ in range(count):
            torch.matmul(x, y, out=c)
        if device == "cuda":
            torch.cuda.synchronize()
    return 2 * size**3 * units_per_second(work, device) / 1e9


def lora_layer_step(size, batch, device):
    torch.manual_seed(1)
    base = nn.Linear(size, size, bias=False).to(device)
    base.weight.requires_grad_(False)
    layer = Lora(base, r=4, alpha=8).to(device)
    nn.init.zeros_(layer.lora_B.weight)
    params = [layer.lora_A.weight, layer.lora_B.weight]
    capturable = device == "cuda" and "capturable" in torch.optim.Adam.__init__.__code__.co_varnames
    opt = torch.optim.Adam(params, lr=0.01, **({"capturable": True} if capturable else {}))
    target = nn.Linear(size, size, bias=False).to(device)
    batches = []
    for _ in range(2):
        x = torch.randn(batch, size, device=device)
        batches.append((x, target(x).detach()))

    def step(x, y):
        opt.zero_grad(set_to_none=False)
        loss = nn.functional.mse_loss(layer(x), y)
        loss.backward()
        opt.step()
        return loss

    return step, batches, capturable


def lm_step(device):
    here = os.path.dirname(__file__)
    with open(os.path.join(here, "..", "public", "models", "tiny-llama", "config.json")) as f:
        config = json.load(f)
    config.setdefault("head_dim", config["hidden_size"] // config["num_attention_heads"])
    torch.manual_seed(1)
    model = LlamaForCausalLM(config).to(device)
    for p in model.parameters():
        p.requires_grad_(False)
    adapters = []
    for layer in model.model.layers:
        for owner in (layer.self_attn, layer.mlp):
            for name in LINEAR_MODULES:
                if hasattr(owner, name):
                    lora = Lora(getattr(owner, name), r=8, alpha=16).to(device)
                    nn.init.zeros_(lora.lora_B.weight)
                    setattr(owner, name, lora)
                    adapters += [lora.lora_A.weight, lora.lora_B.weight]
    capturable = device == "cuda" and "capturable" in torch.optim.Adam.__init__.__code__.co_varnames
    opt = torch.optim.Adam(adapters, lr=0.003, **({"capturable": True} if capturable else {}))
    batch, context, vocab = 4, 128, config["vocab_size"]
    batches = []
    for _ in range(2):
        tokens = torch.randint(vocab, (batch, context), device=device)
        batches.append((tokens, torch.randint(vocab, (batch, context), device=device)))
    weights = torch.ones(batch, context, device=device)

    def step(tokens, targets):
        opt.zero_grad(set_to_none=False)
        loss = next_token_loss(model(tokens), targets, weights)
        loss.backward()
        opt.step()
        return loss

    return step, batches, capturable, batch * context


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    device = args.device
    name = torch.cuda.get_device_name() if device == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    print(f"PyTorch {torch.__version__} on {name}")
    modes = ["eager", "CUDA graph"] if device == "cuda" else ["eager"]
    torch.backends.cuda.matmul.allow_tf32 = False
    print("\n## Matmul GFLOP/s (float32, TF32 off)")
    for size in [256, 1024, 2048, 4096] if device == "cuda" else [256, 1024]:
        for form in ["A B", "A B^T", "A^T B"]:
            rate = matmul_gflops(size, form, device)
            print(f"  PyTorch, {size}³, C = {form}".ljust(60) + f"{rate:12.0f} GFLOP/s")
    print("\n## LoRA trainer steps per second (r = 4)")
    for size in [64, 256, 1024, 4096]:
        for batch in [32, 128]:
            for mode in modes:
                step, batches, capturable = lora_layer_step(size, batch, device)
                if mode == "CUDA graph" and not capturable:
                    print(f"  {size} x {size}, batch {batch}: PyTorch, {mode}: needs torch >= 1.12 (capturable Adam)")
                    continue
                rate = timed_steps(step, batches, device, mode == "CUDA graph")
                print(f"  {size} x {size}, batch {batch}: PyTorch, {mode}".ljust(60) + f"{rate:12.1f} steps/s")
    print("\n## Tiny LLaMA LoRA training, positions per second (r = 8, batch 4 x 128)")
    for mode in modes:
        step, batches, capturable, positions = lm_step(device)
        if mode == "CUDA graph" and not capturable:
            continue
        rate = timed_steps(step, batches, device, mode == "CUDA graph")
        print(f"  PyTorch, {mode}".ljust(60) + f"{rate * positions:12.0f} positions/s")


if __name__ == "__main__":
    main()
