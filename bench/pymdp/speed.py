#!/usr/bin/python3
"""Median time of one pymdp 0.0.7.1 agent step (infer_states + infer_policies + sample_action) on the same models
`helmholtz bench aif` times: the absorbing-arm T-maze (policy_len 2) and the N×N grid world (location observed,
actions stay/up/down/left/right, C = −Manhattan distance to the bottom-right goal).

    PYTHONPATH=/tmp/pymdp071 /usr/bin/python3 bench/pymdp/speed.py [--steps 30]
Prints one JSON line per configuration.
"""
import json
import sys
import time

import numpy as np
from pymdp.agent import Agent
from pymdp import utils


def tmaze(policy_len=2, p=0.98, validity=1.0):
    nl, k = 4, 2
    A = utils.obj_array(3)
    A[0] = np.zeros((nl, nl, k)); A[1] = np.zeros((3, nl, k)); A[2] = np.zeros((k, nl, k))
    for l in range(nl):
        for c in range(k):
            A[0][l, l, c] = 1
            if l in (1, 2):
                pr = p if l - 1 == c else 1 - p
                A[1][1, l, c] = pr; A[1][2, l, c] = 1 - pr
            else:
                A[1][0, l, c] = 1
            for q in range(k):
                A[2][q, l, c] = (validity if q == c else 1 - validity) if l == 3 else 1 / k
    B = utils.obj_array(2)
    B[0] = np.zeros((nl, nl, nl))
    for prev in range(nl):
        for u in range(nl):
            B[0][prev if prev in (1, 2) else u, prev, u] = 1
    B[1] = np.eye(k)[:, :, None]
    C = utils.obj_array_zeros([nl, 3, k]); C[1][1] = 3; C[1][2] = -3
    D = utils.obj_array(2); D[0] = np.eye(nl)[0]; D[1] = np.ones(k) / k
    return Agent(A=A, B=B, C=C, D=D, policy_len=policy_len), lambda rng: [0, 0, int(rng.integers(2))]


def grid(n, policy_len):
    s = n * n
    A = utils.obj_array(1); A[0] = np.eye(s)
    B = utils.obj_array(1); B[0] = np.zeros((s, s, 5))
    for prev in range(s):
        r, c = divmod(prev, n)
        for u, (dr, dc) in enumerate([(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)]):
            rr, cc = min(max(r + dr, 0), n - 1), min(max(c + dc, 0), n - 1)
            B[0][rr * n + cc, prev, u] = 1
    C = utils.obj_array(1)
    C[0] = np.array([-(abs(i // n - (n - 1)) + abs(i % n - (n - 1))) for i in range(s)], dtype=float)
    D = utils.obj_array(1); D[0] = np.eye(s)[0]
    return Agent(A=A, B=B, C=C, D=D, policy_len=policy_len), None


def run(name, agent, steps, grid_n=None):
    rng = np.random.default_rng(1)
    loc = 0
    obs = [0, 0, 0] if grid_n is None else [0]
    times = []
    for i in range(steps + 3):
        t0 = time.perf_counter()
        agent.infer_states(obs)
        agent.infer_policies()
        a = agent.sample_action()
        dt = (time.perf_counter() - t0) * 1000
        if i >= 3:
            times.append(dt)
        if grid_n is None:
            loc = int(a[0]) if loc not in (1, 2) else loc
            obs = [loc, 0, int(rng.integers(2))]
        else:
            n = grid_n
            r, c = divmod(obs[0], n)
            dr, dc = [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)][int(a[0])]
            obs = [min(max(r + dr, 0), n - 1) * n + min(max(c + dc, 0), n - 1)]
    return {"env": name, "policies": len(agent.policies), "steps": steps, "ms_per_step": float(np.median(times))}


def main():
    steps = int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else 30
    print(json.dumps(run("tmaze", tmaze()[0], steps * 10)))
    for pl in (3, 4):
        r = run("grid", grid(10, pl)[0], steps, grid_n=10)
        r["size"], r["policy_len"] = 10, pl
        print(json.dumps(r))


if __name__ == "__main__":
    main()
