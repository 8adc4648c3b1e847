#!/usr/bin/python3
"""pymdp 0.0.7.1 looping over N agents: agent-steps per second on the models `helmholtz bench aif --agents N` times.

    git -C <pymdp gitdir> archive v0.0.7.1 pymdp | tar -x -C /tmp/pymdp071
    PYTHONPATH=/tmp/pymdp071 /usr/bin/python3 bench/pymdp/batch.py --env tmaze|grid [--agents 20] [--steps 10] [--size 10]
        [--policy-len L]

pymdp 0.0.7.1 has no batch: one Agent object per agent, stepped in a Python loop (infer_states, infer_policies,
sample_action), each against its own environment. The time of the agent calls only is summed over all agents and
steps; agent_steps_per_second = agents × steps / that time. A small N is enough because the loop's cost is linear
in N (each agent is independent); larger N is extrapolated per agent-step, as the caller must say.

pymdp 0.0.7.1 imports pandas, seaborn and matplotlib (plotting helpers only) and scipy.special (gammaln, not on the
step path); where those are not installed this script stands in empty modules for the plotting ones and math.lgamma
for gammaln, so that the numbers come from pymdp's own step code.
Prints one JSON line.
"""
import json
import math
import sys
import time
import types

import numpy as np


def _stub_missing():
    for name in ("pandas", "seaborn", "matplotlib", "matplotlib.pyplot"):
        try:
            __import__(name)
        except ImportError:
            sys.modules[name] = types.ModuleType(name)
    try:
        import scipy.special  # noqa: F401
    except ImportError:
        scipy = types.ModuleType("scipy")
        special = types.ModuleType("scipy.special")
        special.gammaln = np.vectorize(math.lgamma)
        scipy.special = special
        sys.modules["scipy"] = scipy
        sys.modules["scipy.special"] = special


_stub_missing()
sys.path.insert(0, __file__.rsplit("/", 1)[0])
import speed  # noqa: E402  (the same T-maze and grid models as speed.py)


def arg(name, default, cast=int):
    return cast(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def main():
    env = arg("--env", "tmaze", str)
    n = arg("--agents", 20)
    steps = arg("--steps", 10)
    size = arg("--size", 10)
    policy_len = arg("--policy-len", 2 if env == "tmaze" else 3)
    rng = np.random.default_rng(1)
    agents, obs, steppers = [], [], []
    for _ in range(n):
        if env == "tmaze":
            agent = speed.tmaze(policy_len)[0]
            state = {"l": 0, "moves": 0}

            def step(a, state=state):
                # the task of bench aif: an arm ends the trial, as do two moves
                state["l"] = int(a[0]) if state["l"] not in (1, 2) else state["l"]
                state["moves"] += 1
                return [state["l"], 0, int(rng.integers(2))]

            agents.append(agent); obs.append([0, 0, 0]); steppers.append(step)
        else:
            agent = speed.grid(size, policy_len)[0]
            pos = {"o": 0}

            def step(a, pos=pos):
                r, c = divmod(pos["o"], size)
                dr, dc = [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)][int(a[0])]
                pos["o"] = min(max(r + dr, 0), size - 1) * size + min(max(c + dc, 0), size - 1)
                return [pos["o"]]

            agents.append(agent); obs.append([0]); steppers.append(step)
    total = 0.0
    for t in range(steps + 1):
        for i in range(n):
            t0 = time.perf_counter()
            agents[i].infer_states(obs[i])
            agents[i].infer_policies()
            a = agents[i].sample_action()
            dt = time.perf_counter() - t0
            if t > 0:  # the first step of every agent is warm-up
                total += dt
            obs[i] = steppers[i](a)
    print(json.dumps({"env": env, "agents": n, "steps": steps, "policy_len": policy_len,
                      "policies": len(agents[0].policies), "seconds": total,
                      "agent_steps_per_second": n * steps / total, "ms_per_agent_step": 1000 * total / (n * steps)}))


if __name__ == "__main__":
    main()
