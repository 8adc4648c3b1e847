#!/usr/bin/python3
"""Reference numbers for Helmholtz's model builders, computed with PyTorch.

Builds small instances of the MLP, LeNet-style CNN, Elman RNN and LSTM as the PyTorch modules given in
docs/engine.md (same parameter names and layouts), draws PyTorch-default weights, runs one batch forward and
backward, and writes weights, input, target, output, loss and parameter gradients to
tests/Helmholtz.Tests/TestData/torch/builders_reference.json. The C# test loads the weights into the Helmholtz
graph and compares. Run:  /usr/bin/python3 bench/torch_reference/make_builders_reference.py
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

ACT = {"tanh": torch.tanh, "relu": F.relu, "sigmoid": torch.sigmoid}


class Mlp(nn.Module):
    def __init__(self, inputs, hidden, outputs, act):
        super().__init__()
        sizes = [inputs] + hidden + [outputs]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.act = ACT[act]

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = self.act(x)
        return x


class LeNet(nn.Module):
    def __init__(self, c, h, w, c1, c2, k, pad1, pool, hidden, outputs, act):
        super().__init__()
        self.shape = (c, h, w)
        self.pool = pool
        self.conv1 = nn.Conv2d(c, c1, k, padding=pad1)
        self.conv2 = nn.Conv2d(c1, c2, k)
        h1 = (h + 2 * pad1 - k + 1) // pool
        w1 = (w + 2 * pad1 - k + 1) // pool
        flat = c2 * ((h1 - k + 1) // pool) * ((w1 - k + 1) // pool)
        sizes = [flat] + hidden + [outputs]
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            setattr(self, f"fc{i + 1}", nn.Linear(a, b))
        self.n_fc = len(sizes) - 1
        self.act = ACT[act]

    def forward(self, x):
        x = x.view(-1, *self.shape)
        x = F.max_pool2d(self.act(self.conv1(x)), self.pool)
        x = F.max_pool2d(self.act(self.conv2(x)), self.pool)
        x = x.flatten(1)
        for i in range(1, self.n_fc + 1):
            x = getattr(self, f"fc{i}")(x)
            if i < self.n_fc:
                x = self.act(x)
        return x


class RowRnn(nn.Module):
    def __init__(self, inputs, steps, hidden, outputs, lstm):
        super().__init__()
        self.inputs, self.steps = inputs, steps
        if lstm:
            self.lstm = nn.LSTM(inputs, hidden, batch_first=True)
        else:
            self.rnn = nn.RNN(inputs, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, outputs)

    def forward(self, x):
        core = self.lstm if hasattr(self, "lstm") else self.rnn
        out, _ = core(x.view(-1, self.steps, self.inputs))
        return self.fc(out[:, -1])


def flat(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def case(name, kind, options, module, inputs, outputs, loss, batch=3):
    x = torch.rand(batch, inputs) * 2 - 1
    if loss == "cross_entropy":
        labels = torch.randint(0, outputs, (batch,))
        y = F.one_hot(labels, outputs).float()
    else:
        y = torch.rand(batch, outputs) * 2 - 1
    out = module(x)
    if loss == "cross_entropy":
        value = F.cross_entropy(out, labels)
    else:
        value = 0.5 * ((out - y) ** 2).sum() / batch
    module.zero_grad()
    value.backward()
    return {
        "name": name, "kind": kind, "options": options, "loss_kind": loss, "batch": batch,
        "parameters": {n: flat(p) for n, p in module.state_dict().items()},
        "input": flat(x), "target": flat(y), "output": flat(out), "loss": float(value),
        "gradients": {n: flat(p.grad) for n, p in module.named_parameters()},
    }


def main():
    torch.manual_seed(0)
    cases = [
        case("mlp tanh ce", "mlp", {"input": 20, "hidden": [16, 12], "output": 5, "activation": "tanh"},
             Mlp(20, [16, 12], 5, "tanh"), 20, 5, "cross_entropy"),
        case("mlp relu mse", "mlp", {"input": 20, "hidden": [9], "output": 4, "activation": "relu"},
             Mlp(20, [9], 4, "relu"), 20, 4, "mse"),
        case("cnn relu max", "cnn", {"channels": 1, "height": 12, "width": 12, "conv1": 3, "conv2": 4, "kernel": 3,
                                     "padding": 1, "pool": 2, "hidden": [8, 6], "output": 5, "activation": "relu"},
             LeNet(1, 12, 12, 3, 4, 3, 1, 2, [8, 6], 5, "relu"), 144, 5, "cross_entropy"),
        case("rnn", "rnn", {"input": 6, "steps": 5, "hidden": 7, "output": 4},
             RowRnn(6, 5, 7, 4, lstm=False), 30, 4, "cross_entropy"),
        case("lstm", "lstm", {"input": 6, "steps": 5, "hidden": 7, "output": 4},
             RowRnn(6, 5, 7, 4, lstm=True), 30, 4, "cross_entropy"),
        case("lstm mse", "lstm", {"input": 6, "steps": 5, "hidden": 7, "output": 4},
             RowRnn(6, 5, 7, 4, lstm=True), 30, 4, "mse"),
    ]
    doc = {
        "generator": "bench/torch_reference/make_builders_reference.py",
        "torch_version": torch.__version__,
        "seed": 0,
        "cases": cases,
    }
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "tests", "Helmholtz.Tests", "TestData", "torch", "builders_reference.json")
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    print(path, os.path.getsize(path))


if __name__ == "__main__":
    main()
