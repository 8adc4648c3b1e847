"""Checks of python/helmholtz_io.py against the helmholtz command (run by tools/python-check.sh, not by dotnet test).

HELMHOLTZ names the built command (default: `helmholtz` on PATH). PyTorch is optional: without it the torch checks
are skipped and the same predictions are compared through a NumPy forward pass.
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
import helmholtz_io as hio  # noqa: E402

try:
    import torch
    from torch import nn
except ImportError:  # Debian's python3-torch is optional
    torch = None

HELMHOLTZ = os.environ.get("HELMHOLTZ", "helmholtz")
PYMDP_CASES = sorted(glob.glob(os.path.join(REPO, "tests", "Helmholtz.Tests", "TestData", "pymdp", "*")))
# float32 forward passes in two libraries: the outputs (logits of order 10) agree to a few ulps of their size.
OUTPUT_TOLERANCE = 1e-4


def helmholtz(*args, cwd):
    result = subprocess.run([HELMHOLTZ, *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"helmholtz {' '.join(args)} exited {result.returncode}: {result.stderr.strip()}")
    return result.stdout


def torch_sequential(layout):
    """nn.Sequential from hio.sequential_layout (what docs/python.md shows)."""
    acts = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid}
    layers = []
    for kind, *a in layout:
        if kind == "linear":
            layers.append(nn.Linear(a[0], a[1]))
        elif kind == "conv2d":
            layers.append(nn.Conv2d(a[0], a[1], a[2], padding=a[3]))
        elif kind == "unflatten":
            layers.append(nn.Unflatten(1, tuple(a)))
        elif kind == "flatten":
            layers.append(nn.Flatten())
        elif kind == "max":
            layers.append(nn.MaxPool2d(a[0]))
        elif kind == "average":
            layers.append(nn.AvgPool2d(a[0]))
        else:
            layers.append(acts[kind]())
    return nn.Sequential(*layers)


def numpy_mlp(parameters, activation, x):
    f = {"tanh": np.tanh, "relu": lambda v: np.maximum(v, 0), "sigmoid": lambda v: 1 / (1 + np.exp(-v))}[activation]
    count = len([k for k in parameters if k.endswith(".weight")])
    for i in range(count):
        x = x @ parameters[f"layers.{i}.weight"].T + parameters[f"layers.{i}.bias"]
        if i < count - 1:
            x = f(x)
    return x


class Trained(unittest.TestCase):
    """One small MLP and one small CNN trained by the CLI on the embedded digits, with predictions on 100 test images."""

    work = None

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="helmholtz-py-")
        common = ["--dataset", "digits", "--epochs", "1", "--loss", "cross-entropy", "--optimizer", "adam", "--lr", "0.001"]
        helmholtz("train", "--algo", "bp", "--model", "mlp", "--hidden", "64,32", *common, "--out", "mlp", cwd=cls.work)
        helmholtz("predict", "--checkpoint", "mlp/checkpoint.safetensors", "--count", "100", "--out", "mlp-pred.safetensors", cwd=cls.work)
        helmholtz("train", "--algo", "pc-fixed", "--model", "cnn", "--activation", "relu", "--max-batches", "20", *common,
                  "--out", "cnn", cwd=cls.work)
        helmholtz("predict", "--checkpoint", "cnn/checkpoint.safetensors", "--count", "100", "--out", "cnn-pred.safetensors", cwd=cls.work)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.work, name)

    def predictions(self, name):
        tensors, metadata = hio.read_safetensors(self.path(name))
        self.assertEqual(metadata["format"], "helmholtz-predictions-1")
        self.assertEqual(tensors["x"].shape, (100, 784))
        return tensors

    def test_checkpoint_parameters_and_optimizer_state_are_apart(self):
        ck = hio.load_checkpoint(self.path("mlp/checkpoint.safetensors"))
        self.assertEqual(sorted(ck.parameters), [f"layers.{i}.{p}" for i in range(3) for p in ("bias", "weight")])
        self.assertEqual(ck.parameters["layers.0.weight"].shape, (64, 784))
        self.assertEqual(ck.parameters["layers.2.weight"].shape, (10, 32))
        # Adam keeps exp_avg, exp_avg_sq and step per parameter.
        self.assertEqual(len(ck.optimizer), 3 * len(ck.parameters))
        self.assertIn("layers.0.weight.exp_avg_sq", ck.optimizer)
        self.assertEqual(ck.epoch, 1)
        self.assertEqual(ck.config["hidden"], [64, 32])
        self.assertEqual(list(ck.metrics["epoch"]), [1])

    def test_rewriting_a_checkpoint_gives_the_same_bytes(self):
        tensors, metadata = hio.read_safetensors(self.path("mlp/checkpoint.safetensors"))
        hio.write_safetensors(self.path("rewritten.safetensors"), tensors, metadata)
        with open(self.path("mlp/checkpoint.safetensors"), "rb") as a, open(self.path("rewritten.safetensors"), "rb") as b:
            self.assertEqual(a.read(), b.read())

    def test_a_changed_byte_fails_the_digest(self):
        with open(self.path("mlp/checkpoint.safetensors"), "rb") as f:
            raw = bytearray(f.read())
        raw[-3] ^= 0x01
        with open(self.path("tampered.safetensors"), "wb") as f:
            f.write(raw)
        with self.assertRaisesRegex(hio.SafetensorsError, "digest"):
            hio.load_checkpoint(self.path("tampered.safetensors"))
        tensors, _ = hio.read_safetensors(self.path("tampered.safetensors"), verify=False)
        self.assertIn("layers.2.bias", tensors)

    def test_helmholtz_reads_what_python_writes(self):
        ck = hio.load_checkpoint(self.path("mlp/checkpoint.safetensors"))
        hio.write_safetensors(self.path("init.safetensors"), {k: v * 0.5 for k, v in ck.parameters.items()})
        helmholtz("train", "--algo", "bp", "--model", "mlp", "--hidden", "64,32", "--epochs", "1", "--max-batches", "1",
                  "--init", "init.safetensors", "--out", "from-init", cwd=self.work)

    def test_numpy_forward_matches_helmholtz(self):
        ck = hio.load_checkpoint(self.path("mlp/checkpoint.safetensors"))
        p = self.predictions("mlp-pred.safetensors")
        out = numpy_mlp(ck.parameters, ck.config["activation"], p["x"])
        self.assertLess(float(np.abs(out - p["output"]).max()), OUTPUT_TOLERANCE)

    @unittest.skipIf(torch is None, "PyTorch is not installed (Debian: python3-torch)")
    def test_torch_sequential_mlp_matches_helmholtz(self):
        self.compare_with_torch("mlp")

    @unittest.skipIf(torch is None, "PyTorch is not installed (Debian: python3-torch)")
    def test_torch_sequential_cnn_matches_helmholtz(self):
        self.compare_with_torch("cnn")

    def compare_with_torch(self, name):
        ck = hio.load_checkpoint(self.path(f"{name}/checkpoint.safetensors"))
        module = torch_sequential(hio.sequential_layout(ck.config, ck.parameters))
        module.load_state_dict({k: torch.from_numpy(v) for k, v in hio.sequential_state_dict(ck).items()}, strict=True)
        p = self.predictions(f"{name}-pred.safetensors")
        with torch.no_grad():
            out = module(torch.from_numpy(p["x"])).numpy()
        diff = float(np.abs(out - p["output"]).max())
        print(f"\n  {name}: max |torch − helmholtz| over 100 images × 10 outputs = {diff:.3g}; "
              f"argmax agree on {int((out.argmax(1) == p['output'].argmax(1)).sum())}/100", file=sys.stderr)
        self.assertLess(diff, OUTPUT_TOLERANCE)
        np.testing.assert_array_equal(out.argmax(1), p["output"].argmax(1))

    def test_run_folder(self):
        run = hio.read_run(self.path("mlp"))
        self.assertEqual(run["config"]["model"], "mlp")
        self.assertEqual(run["metrics"]["batches"].dtype, np.int64)
        self.assertGreater(run["metrics"]["test_accuracy"][0], 0.5)


class PymdpModels(unittest.TestCase):
    """pymdp-shaped models to Helmholtz's model JSON and back."""

    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="helmholtz-pymdp-")

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def test_reference_models_round_trip_identically(self):
        self.assertGreater(len(PYMDP_CASES), 0)
        for case in PYMDP_CASES:
            with self.subTest(case=os.path.basename(case)):
                original = os.path.join(case, "model.json")
                arrays = hio.load_model(original)                      # pymdp object arrays
                self.assertEqual(arrays["A"].dtype, object)
                options = {k: v for k, v in arrays.items() if k not in hio._ARRAY_KEYS}
                model = hio.model_from_pymdp(**{k: arrays.get(k) for k in hio._ARRAY_KEYS}, **options)
                converted = os.path.join(self.work, "model.json")
                hio.save_model(converted, model)
                with open(original) as a, open(converted) as b:
                    before, after = json.load(a), json.load(b)
                # Identical as JSON: the same keys and every number bit for bit (floats print in shortest round-trip form).
                self.assertEqual(json.dumps(before, sort_keys=True), json.dumps(after, sort_keys=True))
                trajectory = os.path.join(case, "trajectory.json")
                self.assertEqual(
                    helmholtz("aif", "evaluate", "--model", original, "--trajectory", trajectory, "--json", cwd=self.work),
                    helmholtz("aif", "evaluate", "--model", converted, "--trajectory", trajectory, "--json", cwd=self.work))

    def test_a_pymdp_style_agent_model_converts_and_evaluates(self):
        rng = np.random.default_rng(3)
        num_obs, num_states, num_controls = [3, 2], [4, 2], [3, 1]

        def normalised(shape):
            x = rng.random(shape) + 0.05
            return x / x.sum(axis=0, keepdims=True)

        A = np.empty(len(num_obs), dtype=object)           # as pymdp's utils.obj_array builds them
        for m, o in enumerate(num_obs):
            A[m] = normalised([o, *num_states])
        B = np.empty(len(num_states), dtype=object)
        for f, (s, u) in enumerate(zip(num_states, num_controls)):
            B[f] = normalised([s, s, u])
        C = np.empty(2, dtype=object)
        C[0], C[1] = np.array([1.0, 0.0, -1.0]), np.zeros(2)
        D = np.empty(2, dtype=object)
        D[0], D[1] = np.full(4, 0.25), np.array([0.5, 0.5])
        pA = np.empty(2, dtype=object)
        pA[0], pA[1] = A[0] * 10, A[1] * 10
        model = hio.model_from_pymdp(A, B, C, D, pA=pA, control_factors=[0], policy_len=2, gamma=8.0)
        path = os.path.join(self.work, "agent.json")
        hio.save_model(path, model, indent=1)
        with open(os.path.join(self.work, "trajectory.json"), "w") as f:
            json.dump({"observations": [[0, 1], [2, 0], [1, 1]], "actions": [[1, 0], [2, 0], [0, 0]]}, f)
        out = json.loads(helmholtz("aif", "evaluate", "--model", path, "--trajectory", "trajectory.json", "--json",
                                   cwd=self.work).strip().splitlines()[-1])
        self.assertTrue(out)
        back = hio.load_model(path)
        for key, original in (("A", A), ("B", B), ("C", C), ("D", D), ("pA", pA)):
            self.assertEqual(len(back[key]), len(original))
            for a, b in zip(back[key], original):
                np.testing.assert_array_equal(a, b)
        self.assertEqual(back["control_factors"], [0])


if __name__ == "__main__":
    unittest.main()
