#!/usr/bin/python3
"""Generate Dirichlet-learning reference cases from pymdp 0.0.7.1 (NumPy): pA and pB after each step.

Usage (pymdp is NOT vendored; check out its tag outside the repository and put it on PYTHONPATH):
    PYTHONPATH=/tmp/pymdp071 /usr/bin/python3 bench/pymdp/make_learning_reference.py tests/Helmholtz.Tests/TestData/pymdp-learning

Protocol per step t (pymdp's Agent methods): infer_states(obs[t]); update_A(obs[t]); if t > 0: update_B(qs[t-1]);
record qs, pA, pB; then the recorded action actions[t] is taken (agent.action = actions[t]; agent.step_time()).
Writes <out>/<case>/model.json (Helmholtz's model format, with lr_pA/lr_pB), trajectory.json and expected.json:
{"steps": [{"qs": [...], "pA": [...], "pB": [...]}]}.
"""
import json
import os
import sys

import numpy as np
from pymdp.agent import Agent
from pymdp import utils


def rand_categorical(rng, shape, sparsity):
    x = rng.gamma(1.0, 1.0, size=shape)
    mask = rng.random(shape) < sparsity
    x[mask] = 0.0
    first = np.zeros(shape, dtype=bool)
    idx = rng.integers(0, shape[0], size=shape[1:])
    np.put_along_axis(first, idx[None, ...], True, axis=0)
    x[first] += 1.0
    return x / x.sum(axis=0, keepdims=True)


def sample(rng, p):
    return int(rng.choice(len(p), p=p / p.sum()))


def make_case(seed, num_states, num_obs, num_controls, lr_pA, lr_pB, steps, sparsity):
    rng = np.random.default_rng(seed)
    nf = len(num_states)
    A = utils.obj_array(len(num_obs)); pA = utils.obj_array(len(num_obs))
    for m, no in enumerate(num_obs):
        A[m] = rand_categorical(rng, [no] + list(num_states), sparsity)
        pA[m] = (A[m] > 0) * rng.uniform(0.5, 3.0, size=A[m].shape)
        A[m] = utils.norm_dist(pA[m])
    B = utils.obj_array(nf); pB = utils.obj_array(nf)
    for f, ns in enumerate(num_states):
        B[f] = rand_categorical(rng, [ns, ns, num_controls[f]], sparsity)
        pB[f] = (B[f] > 0) * rng.uniform(0.5, 3.0, size=B[f].shape)
        B[f] = utils.norm_dist(pB[f])
    D = utils.obj_array(nf)
    for f, ns in enumerate(num_states):
        D[f] = rng.dirichlet(np.ones(ns))
    truth_A = [a.copy() for a in A]
    truth_B = [b.copy() for b in B]
    agent = Agent(A=A, B=B, D=D, pA=pA, pB=pB, lr_pA=lr_pA, lr_pB=lr_pB)
    state = [sample(rng, D[f]) for f in range(nf)]
    observations, actions, out = [], [], []
    qs_prev = None
    for t in range(steps):
        obs = [sample(rng, truth_A[m][(slice(None),) + tuple(state)]) for m in range(len(num_obs))]
        observations.append(obs)
        qs = agent.infer_states(obs)
        agent.update_A(obs)
        if qs_prev is not None:
            agent.update_B(qs_prev)
        out.append({"qs": [np.asarray(q).tolist() for q in qs], "pA": [p.tolist() for p in agent.pA],
                    "pB": [p.tolist() for p in agent.pB]})
        qs_prev = [np.asarray(q).copy() for q in qs]
        action = [int(rng.integers(0, num_controls[f])) for f in range(nf)]
        actions.append(action)
        agent.infer_policies()
        agent.action = np.array(action, dtype=float)
        agent.step_time()
        state = [sample(rng, truth_B[f][:, state[f], action[f]]) for f in range(nf)]
    model = {"A": [a.tolist() for a in A], "B": [b.tolist() for b in B], "D": [d.tolist() for d in D],
             "pA": [p.tolist() for p in pA], "pB": [p.tolist() for p in pB], "lr_pA": lr_pA, "lr_pB": lr_pB}
    return model, {"observations": observations, "actions": actions}, {"steps": out}


CASES = {
    "learn_1f_2m": dict(seed=21, num_states=[3], num_obs=[3, 2], num_controls=[2], lr_pA=1.0, lr_pB=1.0, steps=6, sparsity=0.3),
    "learn_2f_2m_lr": dict(seed=22, num_states=[3, 2], num_obs=[4, 3], num_controls=[3, 2], lr_pA=0.25, lr_pB=0.5, steps=6, sparsity=0.3),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/Helmholtz.Tests/TestData/pymdp-learning"
    for name, spec in CASES.items():
        model, traj, expected = make_case(**spec)
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        for fname, obj in (("model.json", model), ("trajectory.json", traj), ("expected.json", expected)):
            with open(os.path.join(d, fname), "w") as fh:
                json.dump(obj, fh)
        print(name, "steps", len(expected["steps"]))


if __name__ == "__main__":
    main()
