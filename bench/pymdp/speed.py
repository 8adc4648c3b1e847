#!/usr/bin/python3
"""Median time of one pymdp 0.0.7.1 agent step (infer_states + infer_policies + sample_action) on the same models
`helmholtz bench aif` times: the absorbing-arm T-maze (policy_len 2), the N×N grid world (location observed,
actions stay/up/down/left/right, C = −Manhattan distance to the bottom-right goal) and the two-factor dial corridor
(cells × settings joint states, controls stay/left/right × keep/down/up, reward when the cell matches the dial).

    PYTHONPATH=/tmp/pymdp071 /usr/bin/python3 bench/pymdp/speed.py [--steps 30] [--max-seconds 60]
    PYTHONPATH=/tmp/pymdp071 /usr/bin/python3 bench/pymdp/speed.py --env tmaze|grid|dial [--size N] [--cells N]
        [--settings K] [--policy-len L] [--steps N] [--max-seconds T]
Prints one JSON line per configuration. bench/pymdp/compare.py runs this and `helmholtz bench aif` interleaved.
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


def dial(cells, settings, policy_len, accuracy=0.8, reward_pref=3.0):
    """The two-factor dial corridor of Helmholtz.Environments.Discrete.DialCorridor: corridor cells × dial settings."""
    n, k = cells, settings

    def target(d):
        return int(np.floor(d * (n - 1) / (k - 1) + 0.5))

    def reading(r, d):
        if r == d:
            return accuracy
        if abs(r - d) != 1:
            return 0.0
        return (1 - accuracy) if d in (0, k - 1) else (1 - accuracy) / 2

    A = utils.obj_array(3)
    A[0] = np.zeros((n, n, k)); A[1] = np.zeros((k, n, k)); A[2] = np.zeros((2, n, k))
    for c in range(n):
        for d in range(k):
            A[0][c, c, d] = 1
            for r in range(k):
                A[1][r, c, d] = reading(r, d)
            A[2][1 if c == target(d) else 0, c, d] = 1
    moves = [0, -1, 1]
    B = utils.obj_array(2)
    B[0] = np.zeros((n, n, 3)); B[1] = np.zeros((k, k, 3))
    for u, dm in enumerate(moves):
        for prev in range(n):
            B[0][min(max(prev + dm, 0), n - 1), prev, u] = 1
        for prev in range(k):
            B[1][min(max(prev + dm, 0), k - 1), prev, u] = 1
    C = utils.obj_array(3); C[0] = np.zeros(n); C[1] = np.zeros(k); C[2] = np.array([0.0, reward_pref])
    D = utils.obj_array(2); D[0] = np.eye(n)[0]; D[1] = np.ones(k) / k
    agent = Agent(A=A, B=B, C=C, D=D, policy_len=policy_len)

    def env(rng):
        state = {"cell": 0, "dial": int(rng.integers(k)), "steps": 0}

        def observe():
            p = np.array([reading(r, state["dial"]) for r in range(k)])
            r = int(rng.choice(k, p=p / p.sum()))
            return [state["cell"], r, 1 if state["cell"] == target(state["dial"]) else 0]

        def step(a):
            state["cell"] = min(max(state["cell"] + moves[int(a[0])], 0), n - 1)
            state["dial"] = min(max(state["dial"] + moves[int(a[1])], 0), k - 1)
            return observe()

        return observe(), step

    return agent, env


def time_agent(agent, first_obs, step, steps, warmup, max_seconds):
    obs = first_obs
    times = []
    began = time.perf_counter()
    for i in range(steps + warmup):
        t0 = time.perf_counter()
        agent.infer_states(obs)
        agent.infer_policies()
        a = agent.sample_action()
        dt = (time.perf_counter() - t0) * 1000
        if i >= warmup:
            times.append(dt)
        obs = step(a)
        if times and time.perf_counter() - began > max_seconds:
            break
    return times


def measure(env, size=10, cells=20, settings=10, policy_len=None, steps=30, max_seconds=60.0):
    """Median ms per step of one configuration; at least one timed step, then stop after max_seconds."""
    rng = np.random.default_rng(1)
    if env == "tmaze":
        policy_len = policy_len or 2
        agent = tmaze(policy_len)[0]
        loc = {"l": 0}

        def step(a):
            loc["l"] = int(a[0]) if loc["l"] not in (1, 2) else loc["l"]
            return [loc["l"], 0, int(rng.integers(2))]

        first, states = [0, 0, 0], 8
    elif env == "grid":
        policy_len = policy_len or 3
        agent = grid(size, policy_len)[0]
        n = size
        pos = {"o": 0}

        def step(a):
            r, c = divmod(pos["o"], n)
            dr, dc = [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)][int(a[0])]
            pos["o"] = min(max(r + dr, 0), n - 1) * n + min(max(c + dc, 0), n - 1)
            return [pos["o"]]

        first, states = [0], n * n
    else:
        policy_len = policy_len or 3
        agent, make_env = dial(cells, settings, policy_len)
        first, step = make_env(rng)
        states = cells * settings
    times = time_agent(agent, first, step, steps, 0 if steps <= 1 else 1 if steps < 10 else 3, max_seconds)
    return {"env": env, "states": states, "policy_len": policy_len, "policies": len(agent.policies), "steps": len(times),
            "ms_per_step": float(np.median(times))}


def arg(name, default, cast=int):
    return cast(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def main():
    steps = arg("--steps", 30)
    max_seconds = arg("--max-seconds", 60.0, float)
    if "--env" in sys.argv:
        print(json.dumps(measure(arg("--env", "tmaze", str), arg("--size", 10), arg("--cells", 20), arg("--settings", 10),
                                 arg("--policy-len", None), steps, max_seconds)))
        return
    print(json.dumps(measure("tmaze", steps=steps * 10, max_seconds=max_seconds)))
    for pl in (3, 4):
        print(json.dumps(measure("grid", size=10, policy_len=pl, steps=steps, max_seconds=max_seconds)))
    print(json.dumps(measure("dial", cells=20, settings=10, policy_len=3, steps=steps, max_seconds=max_seconds)))


if __name__ == "__main__":
    main()
