#!/usr/bin/python3
"""Generate reference cases for Helmholtz's discrete active inference from pymdp 0.0.7.1 (NumPy).

Usage (pymdp is NOT vendored; check out its tag outside the repository and put it on PYTHONPATH):
    git -C <pymdp gitdir> archive v0.0.7.1 | tar -x -C /tmp/pymdp071
    PYTHONPATH=/tmp/pymdp071 /usr/bin/python3 bench/pymdp/make_reference.py tests/Helmholtz.Tests/TestData/pymdp

For every case it writes <out>/<case>/model.json (Helmholtz's model format), trajectory.json and expected.json:
{"policies": [...], "steps": [{"qs", "q_pi", "neg_efe"}]}, the output `helmholtz aif evaluate --json` must reproduce.
Protocol per step t: agent.infer_states(obs[t]); q_pi, G = agent.infer_policies(); then the recorded action
actions[t] is taken (agent.action = actions[t]; agent.step_time()), as pymdp's sample_action does after choosing.
For MMP, "qs" is the current step's marginal averaged over policies with q_pi.
"""
import json
import os
import sys

import numpy as np
import pymdp
from pymdp.agent import Agent
from pymdp import utils

assert pymdp.__file__, "pymdp must be importable (PYTHONPATH)"


def rand_categorical(rng, shape, sparsity):
    """Random columns (axis 0) with some exact zeros; every column keeps at least one non-zero."""
    x = rng.gamma(1.0, 1.0, size=shape)
    if sparsity > 0:
        mask = rng.random(shape) < sparsity
        x[mask] = 0.0
        first = np.zeros(shape, dtype=bool)
        idx = rng.integers(0, shape[0], size=shape[1:])
        np.put_along_axis(first, idx[None, ...], True, axis=0)
        x[first] += rng.gamma(1.0, 1.0, size=shape)[first]
    return x / x.sum(axis=0, keepdims=True)


def sample(rng, p):
    return int(rng.choice(len(p), p=p / p.sum()))


def make_case(name, seed, num_states, num_obs, num_controls, policy_len=1, algo="VANILLA", horizon=1, steps=5,
              sparsity=0.0, use_E=False, use_pA=False, use_pB=False, param_gain=False, num_iter=10, dF_tol=0.001,
              use_utility=True, use_states_info_gain=True, gamma=16.0, deterministic_B=False):
    rng = np.random.default_rng(seed)
    nf = len(num_states)
    A = utils.obj_array(len(num_obs))
    for m, no in enumerate(num_obs):
        A[m] = rand_categorical(rng, [no] + list(num_states), sparsity)
    B = utils.obj_array(nf)
    for f, ns in enumerate(num_states):
        if deterministic_B:
            B[f] = np.zeros((ns, ns, num_controls[f]))
            for u in range(num_controls[f]):
                for s in range(ns):
                    B[f][(s + u) % ns, s, u] = 1.0
        else:
            B[f] = rand_categorical(rng, [ns, ns, num_controls[f]], sparsity)
    C = utils.obj_array(len(num_obs))
    for m, no in enumerate(num_obs):
        C[m] = rng.normal(0, 2.0, size=no)
    D = utils.obj_array(nf)
    for f, ns in enumerate(num_states):
        D[f] = rng.dirichlet(np.ones(ns))
    pA = pB = None
    if use_pA:
        pA = utils.obj_array(len(num_obs))
        for m in range(len(num_obs)):
            pA[m] = (A[m] > 0) * rng.uniform(0.5, 3.0, size=A[m].shape)
            A[m] = utils.norm_dist(pA[m])
    if use_pB:
        pB = utils.obj_array(nf)
        for f in range(nf):
            pB[f] = (B[f] > 0) * rng.uniform(0.5, 3.0, size=B[f].shape)
            B[f] = utils.norm_dist(pB[f])
    npol = int(np.prod(num_controls)) ** policy_len
    E = rng.dirichlet(np.ones(npol)) if use_E else None

    agent = Agent(A=A, B=B, C=C, D=D, E=E, pA=pA, pB=pB, policy_len=policy_len, inference_algo=algo,
                  inference_horizon=horizon, gamma=gamma, use_utility=use_utility,
                  use_states_info_gain=use_states_info_gain, use_param_info_gain=param_gain)
    if algo == "VANILLA":
        agent.inference_params = {"num_iter": num_iter, "dF": 1.0, "dF_tol": dF_tol}
    else:
        agent.inference_params = {"num_iter": num_iter, "grad_descent": True, "tau": 0.25}

    # A trajectory from the generative process the model describes (true states drawn from D and B).
    state = [sample(rng, D[f]) for f in range(nf)]
    observations, actions, out_steps = [], [], []
    for t in range(steps):
        obs = [sample(rng, A[m][(slice(None),) + tuple(state)]) for m in range(len(num_obs))]
        observations.append(obs)
        qs = agent.infer_states(obs)
        q_pi, G = agent.infer_policies()
        if algo == "VANILLA":
            qs_now = [np.asarray(q, dtype=float).tolist() for q in qs]
        else:
            past_len = len(agent.prev_obs[-horizon:])
            qs_now = []
            for f in range(nf):
                acc = np.zeros(num_states[f])
                for p in range(len(agent.policies)):
                    acc += q_pi[p] * qs[p][past_len - 1][f]
                qs_now.append(acc.tolist())
        out_steps.append({"qs": qs_now, "q_pi": q_pi.tolist(), "neg_efe": G.tolist()})
        action = [int(rng.integers(0, num_controls[f])) for f in range(nf)]
        actions.append(action)
        agent.action = np.array(action, dtype=float)
        agent.step_time()
        state = [sample(rng, B[f][:, state[f], action[f]]) for f in range(nf)]

    model = {"A": [a.tolist() for a in A], "B": [b.tolist() for b in B], "C": [c.tolist() for c in C],
             "D": [d.tolist() for d in D], "policy_len": policy_len, "inference_horizon": horizon,
             "inference_algo": "FPI" if algo == "VANILLA" else "MMP", "num_iter": num_iter, "dF_tol": dF_tol,
             "gamma": gamma, "use_utility": use_utility, "use_states_info_gain": use_states_info_gain,
             "use_param_info_gain": param_gain}
    if E is not None:
        model["E"] = E.tolist()
    if pA is not None:
        model["pA"] = [p.tolist() for p in pA]
    if pB is not None:
        model["pB"] = [p.tolist() for p in pB]
    policies = [p.astype(int).tolist() for p in agent.policies]
    return name, model, {"observations": observations, "actions": actions}, {"policies": policies, "steps": out_steps}


CASES = [
    dict(name="fpi_1f_1m", seed=1, num_states=[4], num_obs=[3], num_controls=[3], policy_len=1),
    dict(name="fpi_1f_3m_len3", seed=2, num_states=[5], num_obs=[3, 2, 4], num_controls=[3], policy_len=3, sparsity=0.4),
    dict(name="fpi_2f_3m", seed=3, num_states=[3, 2], num_obs=[3, 4, 2], num_controls=[3, 1], policy_len=2, steps=6),
    dict(name="fpi_2f_2m_both_controlled", seed=4, num_states=[3, 4], num_obs=[4, 3], num_controls=[2, 3], policy_len=2, use_E=True),
    dict(name="fpi_3f_2m_sparse", seed=5, num_states=[2, 3, 2], num_obs=[5, 3], num_controls=[2, 1, 2], policy_len=1, sparsity=0.5, num_iter=20, dF_tol=1e-6),
    dict(name="fpi_2f_param_gain", seed=6, num_states=[3, 2], num_obs=[3, 3], num_controls=[2, 2], policy_len=2, use_pA=True, use_pB=True, param_gain=True),
    dict(name="fpi_2f_no_info_gain", seed=7, num_states=[4, 2], num_obs=[4, 2], num_controls=[4, 1], policy_len=2, use_states_info_gain=False, deterministic_B=True),
    dict(name="fpi_1f_deterministic_B", seed=8, num_states=[6], num_obs=[6, 2], num_controls=[3], policy_len=3, deterministic_B=True, sparsity=0.6),
    dict(name="mmp_1f_h2", seed=11, num_states=[4], num_obs=[3], num_controls=[3], policy_len=1, algo="MMP", horizon=2, steps=5),
    dict(name="mmp_2f_h3_len2", seed=12, num_states=[3, 2], num_obs=[3, 4], num_controls=[2, 1], policy_len=2, algo="MMP", horizon=3, steps=6),
    dict(name="mmp_2f_h2_E", seed=13, num_states=[3, 3], num_obs=[4, 2, 3], num_controls=[2, 2], policy_len=1, algo="MMP", horizon=2, steps=5, use_E=True, sparsity=0.3),
    dict(name="mmp_2f_h2_pA", seed=14, num_states=[2, 3], num_obs=[3, 2], num_controls=[1, 3], policy_len=2, algo="MMP", horizon=2, steps=4, use_pA=True, param_gain=True),
]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/Helmholtz.Tests/TestData/pymdp"
    for spec in CASES:
        name, model, traj, expected = make_case(**spec)
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        for fname, obj in (("model.json", model), ("trajectory.json", traj), ("expected.json", expected)):
            with open(os.path.join(d, fname), "w") as fh:
                json.dump(obj, fh)
        print(name, "policies", len(expected["policies"]), "steps", len(expected["steps"]))


if __name__ == "__main__":
    main()
