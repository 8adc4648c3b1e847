#!/usr/bin/python3
"""`helmholtz bench aif` against pymdp 0.0.7.1 (bench/pymdp/speed.py) on the same models, run interleaved.

For every configuration the two are run alternately (Helmholtz, pymdp, Helmholtz, pymdp, …) in separate processes, so
both see the same load on a shared machine; each run reports its median ms per agent step (infer states + infer
policies + sample action), and the speed-up is the median over rounds of the paired ratio pymdp / Helmholtz.

    PYTHONPATH=/tmp/pymdp071 /usr/bin/python3 bench/pymdp/compare.py [--suite main|scaling|factors|all] [--rounds 3]
        [--helmholtz src/Helmholtz.Cli/bin/Release/net10.0/Helmholtz.Cli] [--json out.json]
Prints a markdown table. pymdp's repetitions are cut where one step takes seconds (see `steps` below).
"""
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def arg(name, default, cast=str):
    return cast(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def configs(suite):
    main = [
        ("T-maze", "tmaze", [], 2, 300),
        ("10×10 grid", "grid", ["--size", "10"], 3, 30),
        ("10×10 grid", "grid", ["--size", "10"], 4, 10),
        ("dial corridor 20×10", "dial", ["--cells", "20", "--settings", "10"], 3, 10),
    ]
    scaling = []
    for n in (5, 10, 20, 32):
        for pl in range(1, 6):
            # pymdp's cost grows with policies × horizon × states²: a few seconds per step at 400 states and
            # policy_len 5, minutes at 1,024; one step is enough there.
            work = (5 ** pl) * pl * (n * n) ** 2
            steps = 30 if work < 1e8 else 5 if work < 1e10 else 1
            scaling.append((f"{n}×{n} grid", "grid", ["--size", str(n)], pl, steps))
    factors = []
    for cells in (20, 100):
        for pl in range(1, 4):
            factors.append((f"dial corridor {cells}×10", "dial", ["--cells", str(cells), "--settings", "10"], pl,
                            30 if cells * 10 * 9 ** pl < 2e5 else 3))
    return {"main": main, "scaling": scaling, "factors": factors, "all": main + scaling + factors}[suite]


def run_helmholtz(exe, env, extra, pl):
    out = subprocess.run([exe, "bench", "aif", "--env", env, *extra, "--policy-len", str(pl), "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_pymdp(env, extra, pl, steps):
    cmd = [sys.executable, os.path.join(HERE, "speed.py"), "--env", env, *extra, "--policy-len", str(pl),
           "--steps", str(steps), "--max-seconds", "120"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    suite = arg("--suite", "main")
    rounds = arg("--rounds", 3, int)
    exe = arg("--helmholtz", os.path.join(HERE, "..", "..", "src", "Helmholtz.Cli", "bin", "Release", "net10.0", "Helmholtz.Cli"))
    rows = []
    print("| model | states | policy_len | policies | pymdp 0.0.7.1 ms/step | Helmholtz ms/step | pymdp / Helmholtz | rounds × pymdp steps |")
    print("|---|---|---|---|---|---|---|---|")
    for label, env, extra, pl, steps in configs(suite):
        h, p, ratios = [], [], []
        n_rounds = rounds if steps > 1 else 1
        for _ in range(n_rounds):
            hr = run_helmholtz(exe, env, extra, pl)
            pr = run_pymdp(env, extra, pl, steps)
            h.append(hr["ms_per_step"])
            p.append(pr["ms_per_step"])
            ratios.append(pr["ms_per_step"] / hr["ms_per_step"])
        row = {"model": label, "env": env, "states": hr["states"], "policy_len": pl, "policies": hr["policies"],
               "pymdp_ms": statistics.median(p), "helmholtz_ms": statistics.median(h), "ratio": statistics.median(ratios),
               "ratio_min": min(ratios), "rounds": n_rounds, "pymdp_steps": pr["steps"]}
        rows.append(row)
        print(f"| {label} | {row['states']} | {pl} | {row['policies']} | {row['pymdp_ms']:.4g} | {row['helmholtz_ms']:.3g} | "
              f"{row['ratio']:.0f}× (min {row['ratio_min']:.0f}×) | {n_rounds} × {row['pymdp_steps']} |", flush=True)
    if "--json" in sys.argv:
        with open(arg("--json", "compare.json"), "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
