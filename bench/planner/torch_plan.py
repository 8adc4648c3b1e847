#!/usr/bin/env python3
"""Time one CEM plan of the ensemble planner in plain PyTorch, for comparison with `helmholtz bench plan`.

Same work as Helmholtz's EnsembleRolloutEvaluator + CemPlanner: E ensemble members (MLPs with `layers` swish hidden
layers of `hidden` units, output mean and soft-clamped log-variance of the state change), C candidate sequences of H
actions, I CEM iterations with the top K refitted; every member propagates its own sampled particle per candidate;
a reward MLP (two ReLU layers) on (s, a, s') per step; the pairwise-KL information gain of the members' one-step
Gaussians per step. Weights are random (timing only). Written for this comparison; usage:

    /usr/bin/python3 bench/planner/torch_plan.py --preset paper --threads 2 --plans 3
prints one JSON line {"ms_per_plan": ..., ...}.
"""
import argparse
import json
import math
import time

import torch


def make_ensemble(e, n_in, hidden, layers, n_out):
    sizes = [n_in] + [hidden] * layers + [2 * n_out]
    ws, bs = [], []
    for a, b in zip(sizes[:-1], sizes[1:]):
        bound = math.sqrt(6.0 / (a + b))
        ws.append((torch.rand(e, a, b) * 2 - 1) * bound)
        bs.append(torch.zeros(e, 1, b))
    return ws, bs


def ensemble_forward(ws, bs, x):
    for i, (w, b) in enumerate(zip(ws, bs)):
        x = torch.baddbmm(b, x, w)
        if i < len(ws) - 1:
            x = x * torch.sigmoid(x)
    return x


def info_gain_pairwise(mean, logvar):
    """mean, logvar: [E, C, d] -> [C]; -(1/E) sum_i log (1/E) sum_j exp(-KL(p_i || p_j))."""
    e = mean.shape[0]
    var = logvar.exp()
    mi, mj = mean.unsqueeze(1), mean.unsqueeze(0)          # [E,1,C,d], [1,E,C,d]
    vi, lvj, lvi = var.unsqueeze(1), logvar.unsqueeze(0), logvar.unsqueeze(1)
    kl = 0.5 * (lvj - lvi + (vi + (mi - mj) ** 2) / lvj.exp() - 1).sum(-1)   # [E,E,C]
    return -(torch.logsumexp(-kl, dim=1) - math.log(e)).mean(0)


def plan(args, ws, bs, rw, state):
    e, c, h, k, s, a = args.ensemble, args.candidates, args.horizon, args.elites, args.state, args.action
    mean = torch.zeros(h, 1, a)
    std = torch.ones(h, 1, a)
    for _ in range(args.iterations):
        actions = (mean + std * torch.randn(h, c, a)).clamp(-1, 1)
        x = state.expand(e, c, s)
        reward = torch.zeros(e, c)
        ig = torch.zeros(c)
        for t in range(h):
            at = actions[t].unsqueeze(0).expand(e, c, a)
            out = ensemble_forward(ws, bs, torch.cat([x, at], dim=2))
            mu, raw = out[..., :s], out[..., s:]
            lv = -5.0 + 4.0 * torch.sigmoid(raw)
            nxt = x + mu + (0.5 * lv).exp() * torch.randn_like(mu)
            r_in = torch.cat([x, at, nxt], dim=2).reshape(e * c, 2 * s + a)
            r = torch.relu(r_in @ rw[0] + rw[1])
            r = torch.relu(r @ rw[2] + rw[3])
            reward += (r @ rw[4] + rw[5]).view(e, c)
            ig += info_gain_pairwise(mu, lv)
            x = nxt
        utility = reward.mean(0) + ig
        top = utility.topk(k).indices
        elite = actions[:, top]
        mean, std = elite.mean(1, keepdim=True), elite.std(1, unbiased=False, keepdim=True)
    return mean[0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--preset", choices=["paper", "cpu"], default="paper")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--plans", type=int, default=3)
    p.add_argument("--state", type=int, default=2)
    p.add_argument("--action", type=int, default=1)
    p.add_argument("--no-warmup", dest="warmup", action="store_false", help="skip the untimed first plan")
    args = p.parse_args()
    if args.preset == "paper":
        args.ensemble, args.hidden, args.horizon, args.candidates, args.elites, args.iterations = 25, 200, 30, 500, 50, 5
    else:
        args.ensemble, args.hidden, args.horizon, args.candidates, args.elites, args.iterations = 5, 64, 30, 200, 20, 3
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    s, a, hd = args.state, args.action, args.hidden
    ws, bs = make_ensemble(args.ensemble, s + a, hd, 3, s)
    rw = [torch.randn(2 * s + a, hd) * 0.1, torch.zeros(hd), torch.randn(hd, hd) * 0.1, torch.zeros(hd),
          torch.randn(hd, 1) * 0.1, torch.zeros(1)]
    state = torch.tensor([-0.5, 0.0])[:s]
    with torch.no_grad():
        if args.warmup:
            plan(args, ws, bs, rw, state)
        times = []
        for _ in range(args.plans):
            t0 = time.perf_counter()
            plan(args, ws, bs, rw, state)
            times.append(time.perf_counter() - t0)
    times.sort()
    print(json.dumps({"ms_per_plan": 1000 * times[len(times) // 2], "min_ms": 1000 * times[0], "plans": args.plans,
                      "threads": args.threads, "preset": args.preset, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
