#!/usr/bin/python3
"""Reference completions of held-out digits, to put `helmholtz pc complete` in context.

For each mask (bottom, top, left, right half hidden, or a random half of the pixels per image) it prints the pixel MSE
over the hidden pixels of the 2,000 embedded test digits for three fills that use the 8,000 embedded training digits:
  mean   - each hidden pixel's mean over the training images (the baseline `pc complete` reports),
  gauss  - the conditional mean of the hidden pixels given the observed ones under a Gaussian fitted to the training
           images (full covariance + 0.01 I): the best linear completion,
  knn20  - the mean of the 20 training images nearest on the observed pixels.
Random masks here are drawn by numpy (seed 0), not by the CLI's generator, so that row is comparable in distribution only.

Usage: /usr/bin/python3 bench/pc/completion_reference.py [--masks bottom,random]   (needs python3-numpy; about a minute)
"""
import argparse, gzip, json, os
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EMBEDDED = os.path.join(ROOT, "src", "Helmholtz", "Data", "Embedded")


def images(name):
    data = gzip.open(os.path.join(EMBEDDED, name)).read()
    n, rows, cols = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
    return np.frombuffer(data[16:], np.uint8).reshape(n, rows * cols) / 255.0


def half(mask, side=28):
    r, c = np.divmod(np.arange(side * side), side)
    return {"bottom": r >= side // 2, "top": r < side // 2, "left": c < side // 2, "right": c >= side // 2}[mask]


def fills(train, test, hidden, mean, cov):
    obs = ~hidden
    coo = cov[np.ix_(obs, obs)] + 0.01 * np.eye(obs.sum())
    gauss = mean[hidden] + (test[:, obs] - mean[obs]) @ np.linalg.solve(coo, cov[np.ix_(hidden, obs)].T)
    d = (test[:, obs] ** 2).sum(1)[:, None] - 2 * test[:, obs] @ train[:, obs].T + (train[:, obs] ** 2).sum(1)[None]
    knn = train[np.argsort(d, 1)[:, :20]][:, :, hidden].mean(1)
    return mean[hidden], gauss, knn


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--masks", default="bottom,top,left,right,random")
    a = p.parse_args()
    train, test = images("train-images-idx3-ubyte.gz"), images("t10k-images-idx3-ubyte.gz")
    mean, cov = train.mean(0), np.cov(train.T)
    rng = np.random.RandomState(0)
    for mask in a.masks.split(","):
        sq = {"mean": 0.0, "gauss": 0.0, "knn20": 0.0}
        count = 0
        if mask == "random":
            groups = [(np.arange(len(test)) == i, rng.permutation(784)[:392]) for i in range(len(test))]
        else:
            groups = [(np.ones(len(test), bool), np.flatnonzero(half(mask)))]
        for rows, hidden_idx in groups:
            hidden = np.zeros(784, bool)
            hidden[hidden_idx] = True
            t = test[rows]
            for name, fill in zip(sq, fills(train, t, hidden, mean, cov)):
                sq[name] += ((t[:, hidden] - fill) ** 2).sum()
            count += t.shape[0] * hidden.sum()
        print(json.dumps({"mask": mask, **{k: v / count for k, v in sq.items()}}))


if __name__ == "__main__":
    main()
