#!/usr/bin/env python3
"""Generate the reference trajectories that tests/Helmholtz.Tests/Environments/Control compares against.

The classic-control tasks are run with Gymnasium itself (gymnasium.make, so its TimeLimit wrapper is included),
imported from a source checkout given with --gymnasium (the directory that contains the `gymnasium` package), e.g.

    /usr/bin/python3 bench/gymnasium/make_reference.py --gymnasium /tmp/gymsrc --commit 3f0476a8c

Each case starts from an explicit internal state (set on env.unwrapped.state right after reset, so the time limit
counts from that state), applies a fixed action sequence and stops at termination, truncation or the end of the
actions. The sparse mountain car of Tschantz et al. (2020) is not in Gymnasium; `sparse_mountain_car_rollout`
below is an independent NumPy transcription of its equations (github.com/alec-tschantz/rl-inference,
pmbrl/envs/envs/mountain_car.py, with max_episode_len = 500 from pmbrl/configs.py), written for this project.

Each step records the observation (float32 values, written as exact doubles), reward, terminated, truncated and
the internal float64 state after the step ("states"), so tests can check single transitions as well as whole runs.

Cases named "out-of-box-*" apply continuous actions outside the action space, which Gymnasium 1.x accepts and clips
inside step (MountainCarContinuous: min(max(a, -1), 1) for the force, the action cost on the unclipped a; Pendulum:
np.clip(u, -2, 2) for both cost and dynamics). They are drawn from a generator of their own, after every other case,
so the earlier cases' numbers do not change. action-bounds.json records, for the discrete tasks, which out-of-space
actions Gymnasium rejects (the exception its step raises) and which it accepts.

Output: one JSON file per environment in --out (default tests/Helmholtz.Tests/TestData/gymnasium).
Only this script and its numbers are committed; Gymnasium's code is not.
"""

import argparse
import json
import math
import os
import platform
import sys

import numpy as np


def rollout(gym, env_id, state, actions, setup=None):
    env = gym.make(env_id)
    env.reset(seed=0)
    if setup is not None:
        setup(env.unwrapped)
    env.unwrapped.state = np.array(state, dtype=np.float64)
    out = {"observations": [], "rewards": [], "terminated": [], "truncated": [], "states": []}
    for a in actions:
        if isinstance(a, list):
            action = np.array(a, dtype=np.float32)
        else:
            action = int(a)
        obs, reward, terminated, truncated, _ = env.step(action)
        out["observations"].append([float(v) for v in np.asarray(obs, dtype=np.float32)])
        out["rewards"].append(float(reward))
        out["terminated"].append(bool(terminated))
        out["truncated"].append(bool(truncated))
        out["states"].append([float(v) for v in np.asarray(env.unwrapped.state, dtype=np.float64)])
        if terminated or truncated:
            break
    env.close()
    return out


def sparse_mountain_car_rollout(state, actions, max_steps=500):
    """Tschantz et al.'s sparse mountain car: continuous mountain-car physics, float64 state, reward 1 at the goal."""
    position, velocity = float(state[0]), float(state[1])
    out = {"observations": [], "rewards": [], "terminated": [], "truncated": [], "states": []}
    for t, a in enumerate(actions, start=1):
        force = min(max(float(np.float32(a[0])), -1.0), 1.0)
        velocity = velocity + (force * 0.0015 - 0.0025 * math.cos(3 * position))
        velocity = min(max(velocity, -0.07), 0.07)
        position = min(max(position + velocity, -1.2), 0.6)
        if position == -1.2 and velocity < 0:
            velocity = 0.0
        terminated = position >= 0.45 and velocity >= 0
        truncated = t >= max_steps
        out["observations"].append([float(np.float32(position)), float(np.float32(velocity))])
        out["rewards"].append(1.0 if terminated else 0.0)
        out["terminated"].append(terminated)
        out["truncated"].append(truncated)
        out["states"].append([position, velocity])
        if terminated or truncated:
            break
    return out


def f32(values):
    return [[float(np.float32(v))] for v in values]


def pump_discrete(gym, env_id, state, policy, n, setup=None):
    """Runs a state-feedback policy once in Gymnasium to obtain a fixed action sequence for a case."""
    env = gym.make(env_id)
    env.reset(seed=0)
    if setup is not None:
        setup(env.unwrapped)
    env.unwrapped.state = np.array(state, dtype=np.float64)
    actions = []
    for _ in range(n):
        a = policy(np.array(env.unwrapped.state, dtype=np.float64))
        actions.append(a)
        _, _, terminated, truncated, _ = env.step(np.array(a, dtype=np.float32) if isinstance(a, list) else a)
        if terminated or truncated:
            break
    env.close()
    return actions


# Replaying the balancing controller's actions open loop is unstable (the upright pole amplifies differences by
# about 10% a step), so NumPy's and another libm's last-bit differences in sin/cos grow to visible size after ~150
# steps. Tests check such cases one transition at a time, from the recorded float64 states.
OPEN_LOOP_UNSTABLE = {"balanced-until-time-limit"}


def semi_implicit(env):
    env.kinematics_integrator = "semi-implicit euler"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gymnasium", required=True, help="directory containing the gymnasium package")
    parser.add_argument("--commit", default="unknown", help="the Gymnasium commit of that checkout, recorded in the files")
    parser.add_argument("--out", default=os.path.join("tests", "Helmholtz.Tests", "TestData", "gymnasium"))
    args = parser.parse_args()
    sys.path.insert(0, args.gymnasium)
    import gymnasium as gym

    rng = np.random.default_rng(20240601)
    meta = {
        "generator": "bench/gymnasium/make_reference.py",
        "gymnasium_version": gym.__version__,
        "gymnasium_commit": args.commit,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
    }

    def balance(s):
        # PD control of pole angle and cart position keeps the pole up for the whole episode.
        x, x_dot, th, th_dot = s
        return 1 if (th + 0.3 * th_dot + 0.01 * x + 0.05 * x_dot) > 0 else 0

    def acro_pump(s):
        return 2 if s[3] > 0 else 0

    def mc_pump(s):
        return 2 if s[1] >= 0 else 0

    def mcc_pump(s):
        return [1.0] if s[1] >= 0 else [-1.0]

    def mcc_pump_beyond_box(s):
        return [2.5] if s[1] >= 0 else [-2.5]

    # Out-of-box continuous actions (Gymnasium clips them): a generator of their own, so the cases above keep their
    # numbers. Uniform draws well beyond the box, then exact edge and extreme float32 values.
    oob = np.random.default_rng(20261205)
    extremes = [1.0000001, -1.0000001, 2.0000002, -2.0000002, 1e6, -1e30, 3.4e38, -3.4e38, 0.0]

    env_cases = {
        "cartpole": ("CartPole-v1", [
            ("alternating", [0.01, -0.02, 0.03, -0.04], [i % 2 for i in range(40)], None),
            ("pole-falls", [0.0, 0.0, 0.1, 0.5], [0] * 100, None),
            ("cart-leaves-track", [2.3, 1.0, 0.0, 0.0], [1] * 30, None),
            ("random", [-0.03, 0.04, -0.02, 0.01], [int(a) for a in rng.integers(0, 2, 60)], None),
            ("balanced-until-time-limit", [0.02, 0.0, -0.01, 0.0],
             pump_discrete(gym, "CartPole-v1", [0.02, 0.0, -0.01, 0.0], balance, 520), None),
            ("semi-implicit-euler", [0.01, -0.02, 0.03, -0.04], [int(a) for a in rng.integers(0, 2, 50)], "semi-implicit-euler"),
        ]),
        "acrobot": ("Acrobot-v1", [
            ("small-oscillation-until-time-limit", [0.05, -0.05, 0.1, -0.1], [1] * 510, None),
            ("random", [0.02, -0.07, 0.05, 0.01], [int(a) for a in rng.integers(0, 3, 80)], None),
            ("pumped-to-goal", [0.0, 0.0, 0.0, 0.0],
             pump_discrete(gym, "Acrobot-v1", [0.0, 0.0, 0.0, 0.0], acro_pump, 500), None),
            ("wrap-and-clip", [3.0, -3.0, 12.0, 27.0], [2, 0, 1, 2, 2, 0], None),
        ]),
        "mountaincar": ("MountainCar-v0", [
            ("left-wall", [-1.15, -0.06], [0] * 10, None),
            ("pumped-to-goal", [-0.5, 0.0], pump_discrete(gym, "MountainCar-v0", [-0.5, 0.0], mc_pump, 200), None),
            ("idle-until-time-limit", [-0.5, 0.0], [1] * 210, None),
            ("random", [-0.45, 0.01], [int(a) for a in rng.integers(0, 3, 60)], None),
        ]),
        "mountaincar-continuous": ("MountainCarContinuous-v0", [
            ("left-wall", [-1.15, -0.06], f32([-1.0] * 10), None),
            ("pumped-to-goal", [-0.5, 0.0],
             pump_discrete(gym, "MountainCarContinuous-v0", [-0.5, 0.0], mcc_pump, 999), None),
            ("random", [-0.45, 0.01], f32(rng.uniform(-1, 1, 80)), None),
            ("idle-until-time-limit", [-0.5, 0.0], f32([0.0] * 1000), None),
            ("out-of-box-random", [-0.45, 0.01], f32(list(oob.uniform(-4, 4, 80)) + extremes), None),
            ("out-of-box-pumped-to-goal", [-0.5, 0.0],
             pump_discrete(gym, "MountainCarContinuous-v0", [-0.5, 0.0], mcc_pump_beyond_box, 999), None),
        ]),
        "pendulum": ("Pendulum-v1", [
            ("random-until-time-limit", [2.5, -0.5], f32(rng.uniform(-2, 2, 205)), None),
            ("speed-clip", [3.5, 7.9], f32([2.0] * 10), None),
            ("negative-angle", [-7.0, -1.0], f32(rng.uniform(-2, 2, 20)), None),
            ("upright", [0.0, 0.0], f32([0.5] * 5), None),
            ("out-of-box-random", [2.5, -0.5], f32(list(oob.uniform(-8, 8, 80)) + extremes), None),
        ]),
    }

    os.makedirs(args.out, exist_ok=True)
    for name, (env_id, cases) in env_cases.items():
        records = []
        for case_name, state, actions, integrator in cases:
            setup = semi_implicit if integrator == "semi-implicit-euler" else None
            record = {"name": case_name, "state": state, "actions": actions}
            if case_name in OPEN_LOOP_UNSTABLE:
                record["open_loop_unstable"] = True
            if integrator is not None:
                record["integrator"] = integrator
            record.update(rollout(gym, env_id, state, actions, setup))
            records.append(record)
        write(args.out, name, {**meta, "env_id": env_id}, records)

    sparse_cases = []
    for case_name, state, actions in [
        ("pumped-to-goal", [-0.5, 0.0], pump_discrete(gym, "MountainCarContinuous-v0", [-0.5, 0.0], mcc_pump, 500)),
        ("idle-until-time-limit", [-0.5, 0.0], f32([0.0] * 510)),
        ("random", [-0.45, 0.01], f32(rng.uniform(-1, 1, 60))),
        ("out-of-box-random", [-0.45, 0.01], f32(list(oob.uniform(-4, 4, 60)) + extremes)),
    ]:
        record = {"name": case_name, "state": state, "actions": actions}
        record.update(sparse_mountain_car_rollout(state, actions))
        sparse_cases.append(record)
    write(args.out, "sparse-mountaincar", {**meta, "env_id": "SparseMountainCar (Tschantz et al. 2020), NumPy transcription"},
          sparse_cases)

    bounds = {}
    for name, env_id, state, actions in [
        ("cartpole", "CartPole-v1", [0.0, 0.0, 0.0, 0.0], [-1, 2, 3]),
        ("mountaincar", "MountainCar-v0", [-0.5, 0.0], [-1, 3, 4]),
        ("acrobot", "Acrobot-v1", [0.0, 0.0, 0.0, 0.0], [-3, -1, 3, 4]),
    ]:
        bounds[name] = {"env_id": env_id, "actions": [probe_discrete(gym, env_id, state, a) for a in actions]}
    path = os.path.join(args.out, "action-bounds.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"meta": meta, "discrete": bounds}, f, separators=(",", ":"))
        f.write("\n")
    print(path, bounds)


def probe_discrete(gym, env_id, state, action):
    """Steps a discrete task once with an out-of-space action: what Gymnasium's step raises, or that it accepted it."""
    env = gym.make(env_id)
    env.reset(seed=0)
    env.unwrapped.state = np.array(state, dtype=np.float64)
    try:
        env.step(action)
        outcome = {"action": action, "accepted": True, "raises": None}
    except Exception as e:  # noqa: BLE001 - the exception type is the finding
        outcome = {"action": action, "accepted": False, "raises": type(e).__name__}
    env.close()
    return outcome


def write(out_dir, name, meta, cases):
    path = os.path.join(out_dir, name + ".json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"meta": meta, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(path, [(c["name"], len(c["rewards"]), c["terminated"][-1], c["truncated"][-1]) for c in cases])


if __name__ == "__main__":
    main()
