#!/usr/bin/env python3
"""PyTorch side of `./mlsh bench nn`: the same PPO update as Mlsh.Trainer.Ppo.PpoUpdater on the same shapes.

One update = epochs x shuffled minibatches of a fixed batch; each step normalizes and clips observations,
runs the policy and value MLPs (tanh), the Gaussian (or categorical) log-prob and entropy, the clipped
surrogate + value loss - entropy bonus, backward, global-norm clipping and Adam. Prints one JSON line.
"""
import argparse
import json
import math
import statistics
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--obs", type=int, default=40)
    p.add_argument("--act", type=int, default=8)
    p.add_argument("--choices", type=int, default=4)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--batch", type=int, default=2048)
    p.add_argument("--minibatch", type=int, default=64)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--threads", type=int, default=0, help="0 = torch default")
    a = p.parse_args()
    try:
        import torch
        from torch import nn
    except ImportError as e:
        print(json.dumps({"skipped": f"PyTorch is not importable by {sys.executable}: {e}"}))
        return
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)

    def mlp(i, o):
        return nn.Sequential(nn.Linear(i, a.hidden), nn.Tanh(), nn.Linear(a.hidden, a.hidden), nn.Tanh(), nn.Linear(a.hidden, o))

    obs = torch.randn(a.batch, a.obs) * 2 + 1
    mean, std = obs.mean(0), obs.std(0)
    adv = torch.randn(a.batch)
    adv = (adv - adv.mean()) / (adv.std() + 1e-8)
    ret = torch.randn(a.batch)
    old_logp = torch.randn(a.batch) * 0.1 - 8.0

    def make(kind):
        pi = mlp(a.obs, a.act if kind == "gaussian" else a.choices)
        vf = mlp(a.obs, 1)
        params = list(pi.parameters()) + list(vf.parameters())
        logstd = None
        if kind == "gaussian":
            logstd = nn.Parameter(torch.zeros(a.act))
            params.append(logstd)
            actions = torch.randn(a.batch, a.act)
        else:
            actions = torch.randint(0, a.choices, (a.batch,))
        opt = torch.optim.Adam(params, lr=3e-4, eps=1e-5)
        half_log_2pi = 0.5 * math.log(2 * math.pi)
        half_log_2pie = 0.5 * math.log(2 * math.pi * math.e)

        def update():
            for _ in range(a.epochs):
                perm = torch.randperm(a.batch)
                for s in range(0, a.batch, a.minibatch):
                    idx = perm[s:s + a.minibatch]
                    o = ((obs[idx] - mean) / std).clamp(-5.0, 5.0)
                    head = pi(o)
                    v = vf(o).squeeze(-1)
                    if kind == "gaussian":
                        z = (actions[idx] - head) * torch.exp(-logstd)
                        logp = -0.5 * (z * z).sum(-1) - logstd.sum() - a.act * half_log_2pi
                        ent = (logstd + half_log_2pie).sum()
                    else:
                        lp = torch.log_softmax(head, -1)
                        logp = lp.gather(1, actions[idx].unsqueeze(1)).squeeze(1)
                        ent = -(lp.exp() * lp).sum(-1).mean()
                    ratio = torch.exp(logp - old_logp[idx])
                    surr = torch.min(ratio * adv[idx], ratio.clamp(0.8, 1.2) * adv[idx])
                    loss = -surr.mean() + ((v - ret[idx]) ** 2).mean() - 0.01 * ent
                    opt.zero_grad()
                    loss.backward()
                    nn.utils.clip_grad_norm_(params, 0.5)
                    opt.step()
        return update

    import re
    blas = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    # Debian's torch links the generic reference BLAS; the figure is only meaningful with that stated.
    result = {"torch_version": torch.__version__, "threads": torch.get_num_threads(), "blas": blas.group(1) if blas else "unknown"}
    for kind in ("gaussian", "categorical"):
        update = make(kind)
        update()  # warm-up
        times = []
        for _ in range(a.repeats):
            t0 = time.perf_counter()
            update()
            times.append((time.perf_counter() - t0) * 1000.0)
        result[f"{kind}_ms"] = statistics.median(times)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
