#!/usr/bin/env python3
"""Dump per-layer, per-head Q/K/V of a Hugging Face causal LM as .npy files for PADE-DSE.

Output (the naming convention `workloads/npy.hpp` reads):

    OUT/layer{L}_q.npy   [q_heads,  tokens, head_dim]
    OUT/layer{L}_k.npy   [kv_heads, tokens, head_dim]
    OUT/layer{L}_v.npy   [kv_heads, tokens, head_dim]

L counts from 0 without padding. K/V keep their own head count (grouped-query attention): PADE-DSE
maps query head h to KV head h // (q_heads // kv_heads). Q and K are post-RoPE by default (what
attention actually scores); pass --no-rope to dump the raw projections instead. Only the first
sequence of the batch is dumped.

Using the dumps: a suite entry reads them instead of the synthetic generator with
`trace: {kind: npy, folder: OUT}` (the benchmark's model must have the dumped shape; see
docs/workloads.md), e.g. `pade eval HW.yaml --workloads MY_CATALOG --benchmark NAME`.

Requirements: torch, transformers, numpy (not needed by the C++ build; this script is not run in CI).

How it works: forward hooks on each decoder layer's q_proj / k_proj / v_proj linear modules capture
their outputs [batch, tokens, heads * head_dim]; the script reshapes them to [heads, tokens, dim]
and applies the model's rotary embedding to Q and K.

Adapting to other architectures: the module paths are LLaMA-style
(`model.model.layers[i].self_attn.{q,k,v}_proj`, also used by Mistral, Qwen2, Gemma, ...). For
other models pass --layers-path and --q-name/--k-name/--v-name, e.g. OPT:
`--layers-path model.decoder.layers --q-name self_attn.q_proj ...` (with --no-rope: OPT has no RoPE).
Models with a fused QKV projection (GPT-NeoX `query_key_value`, BLOOM, Falcon) need a small custom
split of that one output; see `capture()` below.

Example:
    python3 dump_qkv.py --model TinyLlama/TinyLlama-1.1B-Chat-v1.0 --text-file wiki.txt \
        --max-tokens 1024 --out dumps/tinyllama --dtype float16
"""
import argparse
import math
import os
import sys


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="Hugging Face model id or local path")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--text", help="the prompt text")
    src.add_argument("--text-file", help="a UTF-8 file with the prompt text")
    p.add_argument("--out", required=True, help="output folder (created if missing)")
    p.add_argument("--max-tokens", type=int, default=2048, help="truncate the prompt to this many tokens")
    p.add_argument("--dtype", choices=["float16", "float32"], default="float16", help="dtype of the .npy files")
    p.add_argument("--no-rope", action="store_true", help="dump pre-RoPE Q/K (raw projections)")
    p.add_argument("--layers", default="", help="comma-separated layer indices to dump (default: all)")
    p.add_argument("--layers-path", default="model.layers", help="attribute path of the decoder layer list")
    p.add_argument("--q-name", default="self_attn.q_proj", help="Q projection, relative to a layer")
    p.add_argument("--k-name", default="self_attn.k_proj", help="K projection, relative to a layer")
    p.add_argument("--v-name", default="self_attn.v_proj", help="V projection, relative to a layer")
    p.add_argument("--device", default="cpu", help="torch device, e.g. cpu or cuda")
    return p.parse_args(argv)


def get_attr_path(obj, path):
    for part in path.split("."):
        obj = obj[int(part)] if part.isdigit() else getattr(obj, part)
    return obj


def rotate_half(x):
    """Hugging Face RoPE pairs channel i with i + d/2 (its checkpoints permute the projection
    rows for this), not (2i, 2i+1) as llama2.c does; dot products, hence scores, are the same."""
    import torch

    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope_cos_sin(model, config, head_dim, tokens, device, dtype):
    """cos/sin [tokens, head_dim] in the Hugging Face (rotate-half) layout.

    Prefer the model's own rotary module (handles rope_scaling such as LLaMA-3's); fall back to the
    plain formula theta^(-2i/d) with theta = config.rope_theta (default 10000).
    """
    import torch

    positions = torch.arange(tokens, device=device).unsqueeze(0)
    rotary = None
    for path in ("model.rotary_emb", "model.layers.0.self_attn.rotary_emb"):
        try:
            rotary = get_attr_path(model, path)
            break
        except (AttributeError, IndexError):
            continue
    if rotary is not None:
        try:
            dummy = torch.zeros(1, tokens, head_dim, device=device, dtype=dtype)
            cos, sin = rotary(dummy, positions)
            return cos.reshape(tokens, head_dim).float(), sin.reshape(tokens, head_dim).float()
        except TypeError:
            pass  # an older signature; use the formula
    theta = float(getattr(config, "rope_theta", 10000.0))
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, device=device).float() / head_dim))
    freqs = torch.outer(positions[0].float(), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def main(argv):
    args = parse_args(argv)  # before the heavy imports, so --help works without them
    import numpy as np
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    text = args.text if args.text is not None else open(args.text_file, encoding="utf-8").read()
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForCausalLM.from_pretrained(args.model, torch_dtype=torch.float32).to(args.device).eval()
    config = model.config

    ids = tokenizer(text, return_tensors="pt").input_ids[:, : args.max_tokens].to(args.device)
    tokens = ids.shape[1]
    q_heads = config.num_attention_heads
    kv_heads = getattr(config, "num_key_value_heads", None) or q_heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // q_heads

    layers = get_attr_path(model, args.layers_path)
    wanted = [int(x) for x in args.layers.split(",") if x.strip()] or list(range(len(layers)))
    captured = {}  # (layer, 'q'|'k'|'v') -> tensor [tokens, heads*dim]

    def capture(layer, which):
        def hook(_module, _inputs, output):
            captured[(layer, which)] = output[0].detach().float()
        return hook

    handles = []
    for layer in wanted:
        for which, name in (("q", args.q_name), ("k", args.k_name), ("v", args.v_name)):
            handles.append(get_attr_path(layers[layer], name).register_forward_hook(capture(layer, which)))
    with torch.no_grad():
        model(ids)
    for h in handles:
        h.remove()

    cos = sin = None
    if not args.no_rope:
        cos, sin = rope_cos_sin(model, config, head_dim, tokens, args.device, torch.float32)

    os.makedirs(args.out, exist_ok=True)
    out_dtype = np.float16 if args.dtype == "float16" else np.float32
    for layer in wanted:
        for which, heads in (("q", q_heads), ("k", kv_heads), ("v", kv_heads)):
            x = captured[(layer, which)].reshape(tokens, heads, head_dim).transpose(0, 1)  # [heads, T, d]
            if which in ("q", "k") and cos is not None:
                x = x * cos + rotate_half(x) * sin
            path = os.path.join(args.out, f"layer{layer}_{which}.npy")
            np.save(path, np.ascontiguousarray(x.cpu().numpy().astype(out_dtype)))
    print(f"wrote {len(wanted)} layers x (q,k,v) for {tokens} tokens to {args.out} "
          f"(q_heads={q_heads}, kv_heads={kv_heads}, head_dim={head_dim}, "
          f"{'pre' if args.no_rope else 'post'}-RoPE, {args.dtype}); "
          f"scores scale 1/sqrt(d) = {1.0 / math.sqrt(head_dim):.6g}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
