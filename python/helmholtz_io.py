"""Read and write Helmholtz's files from Python: checkpoints, discrete models, run folders.

Standard library and NumPy only (PyTorch and pymdp are not imported; their objects are plain arrays here).

- Checkpoints (safetensors): ``load_checkpoint(path)`` verifies the SHA-256 digest Helmholtz records under the
  metadata key ``helmholtz.digest`` and returns the parameters and the optimiser state as separate dicts of NumPy
  arrays, with the run's epoch, config and metrics. ``sequential_state_dict`` renames an MLP's or CNN's parameters
  to the indices of the ``torch.nn.Sequential`` that ``sequential_layout`` describes, so ``load_state_dict`` accepts
  them; the names Helmholtz uses already match the ``nn.Module`` classes in docs/engine.md.
  ``read_safetensors``/``write_safetensors`` read and write any safetensors file (the writer adds the digest, so
  Helmholtz reads what it writes as it reads its own files, e.g. for ``train --init``).
- Discrete models: ``model_from_pymdp(A, B, C, D, E, pA, pB, pD, **options)`` turns pymdp's object arrays (or lists of
  arrays) into Helmholtz's model JSON (docs/active-inference/model.md); ``model_to_pymdp(model)`` gives them back;
  ``save_model``/``load_model`` write and read the file.
- Run folders: ``read_metrics`` (metrics.csv as columns), ``read_config`` (config.json), ``read_run`` (both).

See docs/python.md.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import struct
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np

__all__ = [
    "DIGEST_KEY",
    "SafetensorsError",
    "Checkpoint",
    "read_safetensors",
    "write_safetensors",
    "load_checkpoint",
    "sequential_layout",
    "sequential_state_dict",
    "model_from_pymdp",
    "model_to_pymdp",
    "save_model",
    "load_model",
    "read_metrics",
    "read_config",
    "read_run",
]

DIGEST_KEY = "helmholtz.digest"
_DIGEST_PREFIX = "sha256:"
_OPTIMIZER_PREFIX = "optimizer."
_MAX_HEADER = 100_000_000
_DTYPES = {"F32": ("<f4", 4), "F64": ("<f8", 8), "F16": ("<f2", 2), "BF16": ("<u2", 2)}


class SafetensorsError(ValueError):
    """A file that is not valid safetensors, or whose content does not match its recorded digest."""


# ---------------------------------------------------------------------------------------------------------------------
# safetensors with Helmholtz's digest


def _u64(value: int) -> bytes:
    return struct.pack("<Q", value)


def _text(value: str) -> bytes:
    data = value.encode("utf-8")
    return _u64(len(data)) + data


def _utf8_key(name: str) -> bytes:
    return name.encode("utf-8")


def _digest(metadata: Mapping[str, str], entries: Iterable[Tuple[str, str, Sequence[int], int, int]], buffer: bytes) -> str:
    """SHA-256 as Helmholtz computes it (SafetensorsFile's remarks): other metadata by key, entries by name, data."""
    h = hashlib.sha256()
    keys = sorted((k for k in metadata if k != DIGEST_KEY), key=_utf8_key)
    h.update(_u64(len(keys)))
    for k in keys:
        h.update(_text(k))
        h.update(_text(metadata[k]))
    for name, dtype, shape, begin, end in sorted(entries, key=lambda e: _utf8_key(e[0])):
        h.update(_text(name))
        h.update(_text(dtype))
        h.update(_u64(len(shape)))
        for d in shape:
            h.update(_u64(d))
        h.update(_u64(begin))
        h.update(_u64(end))
    h.update(buffer)
    return _DIGEST_PREFIX + h.hexdigest()


def read_safetensors(path: str, verify: bool = True) -> Tuple[Dict[str, np.ndarray], Dict[str, str]]:
    """Reads a safetensors file: ({name: array}, metadata). F32/F64/F16 keep their dtype; BF16 becomes float32.

    When the metadata has ``helmholtz.digest`` and ``verify`` is true, the digest is recomputed and a mismatch raises
    SafetensorsError (the file was changed after Helmholtz, or ``write_safetensors``, wrote it).
    """
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise SafetensorsError(f"{path}: {len(raw)} bytes, shorter than the 8-byte header length")
    (n,) = struct.unpack_from("<Q", raw, 0)
    if n > _MAX_HEADER or n > len(raw) - 8:
        raise SafetensorsError(f"{path}: header length {n} is out of range")
    try:
        header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SafetensorsError(f"{path}: the header is not valid UTF-8 JSON ({e})") from e
    if not isinstance(header, dict):
        raise SafetensorsError(f"{path}: the header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not all(isinstance(v, str) for v in metadata.values()):
        raise SafetensorsError(f"{path}: __metadata__ must map strings to strings")
    buffer = raw[8 + n :]
    tensors: Dict[str, np.ndarray] = {}
    entries = []
    covered = 0
    for name, e in sorted(header.items(), key=lambda kv: tuple(kv[1].get("data_offsets", (0, 0)))):
        dtype, shape, (begin, end) = e["dtype"], [int(d) for d in e["shape"]], e["data_offsets"]
        if dtype not in _DTYPES:
            raise SafetensorsError(f"{path}: tensor '{name}' has dtype {dtype}; F32, F64, F16 and BF16 are read")
        np_dtype, size = _DTYPES[dtype]
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if begin != covered or end - begin != count * size or end > len(buffer):
            raise SafetensorsError(f"{path}: tensor '{name}' has data_offsets [{begin}, {end}] that do not tile the buffer")
        covered = end
        values = np.frombuffer(buffer, dtype=np_dtype, count=count, offset=begin)
        if dtype == "BF16":
            values = (values.astype(np.uint32) << 16).view(np.float32)
        tensors[name] = values.reshape(shape).copy()
        entries.append((name, dtype, shape, begin, end))
    if covered != len(buffer):
        raise SafetensorsError(f"{path}: the data buffer is {len(buffer)} bytes but the tensors cover {covered}")
    recorded = metadata.get(DIGEST_KEY)
    if verify and recorded is not None and _digest(metadata, entries, buffer) != recorded:
        raise SafetensorsError(
            f"{path}: its content does not match the SHA-256 digest recorded in its metadata ({DIGEST_KEY}); "
            "the file was changed or corrupted after it was written")
    ordered = {k: tensors[k] for k in sorted(tensors, key=_utf8_key)}
    return ordered, dict(metadata)


def write_safetensors(path: str, tensors: Mapping[str, Any], metadata: Optional[Mapping[str, str]] = None) -> None:
    """Writes tensors as float32 safetensors with Helmholtz's layout and digest (names sorted, header padded to 8).

    Arrays of another dtype are converted to float32; a ``torch.Tensor`` works through ``np.asarray(t.detach())``.
    The file is written to a temporary name and renamed, so a crash never leaves half a file.
    """
    names = sorted(tensors, key=_utf8_key)
    arrays = {k: np.ascontiguousarray(np.asarray(tensors[k], dtype="<f4")) for k in names}
    entries, offset = [], 0
    for k in names:
        nbytes = arrays[k].size * 4
        entries.append((k, "F32", list(arrays[k].shape), offset, offset + nbytes))
        offset += nbytes
    buffer = b"".join(arrays[k].tobytes() for k in names)
    meta = {k: v for k, v in (metadata or {}).items() if k != DIGEST_KEY}
    meta[DIGEST_KEY] = _digest(meta, entries, buffer)
    header: Dict[str, Any] = {"__metadata__": {k: meta[k] for k in sorted(meta, key=_utf8_key)}}
    for name, dtype, shape, begin, end in entries:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(_u64(len(text)))
        f.write(text)
        f.write(buffer)
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------------------------------
# checkpoints


@dataclass
class Checkpoint:
    """A Helmholtz training checkpoint: parameters and optimiser state apart, with where the run stood."""

    parameters: Dict[str, np.ndarray]
    """Learned tensors by their PyTorch-compatible names (``layers.0.weight`` [out, in], ``conv1.bias``, ...)."""
    optimizer: Dict[str, np.ndarray]
    """Optimiser state without the ``optimizer.`` prefix (Adam: moments per parameter and the step count)."""
    epoch: int
    config: Dict[str, Any]
    """The run's configuration (the same keys as the run folder's config.json)."""
    metrics: Dict[str, np.ndarray]
    """The metrics table so far, column by column (as ``read_metrics``)."""
    metadata: Dict[str, str] = field(default_factory=dict)


def load_checkpoint(path: str) -> Checkpoint:
    """Reads a checkpoint written by ``helmholtz train``; the digest is verified and every value must be finite."""
    tensors, metadata = read_safetensors(path)
    for name, t in tensors.items():
        if not np.all(np.isfinite(t)):
            raise SafetensorsError(f"{path}: tensor '{name}' holds a non-finite value")
    if metadata.get("format") != "helmholtz-checkpoint-1":
        raise SafetensorsError(f"{path}: not a Helmholtz training checkpoint (metadata format is {metadata.get('format')!r})")
    parameters = {k: v for k, v in tensors.items() if not k.startswith(_OPTIMIZER_PREFIX)}
    optimizer = {k[len(_OPTIMIZER_PREFIX) :]: v for k, v in tensors.items() if k.startswith(_OPTIMIZER_PREFIX)}
    return Checkpoint(
        parameters=parameters,
        optimizer=optimizer,
        epoch=int(metadata["epoch"]),
        config=json.loads(metadata["config"]),
        metrics=_columns(list(csv.reader(metadata["metrics"].splitlines()))),
        metadata=metadata,
    )


def sequential_layout(config: Mapping[str, Any], parameters: Mapping[str, np.ndarray]) -> List[Tuple]:
    """The ``torch.nn.Sequential`` that computes the network, as a list of layer descriptions.

    MLP (input a flat vector): ``("linear", in, out)``, then ``(activation,)``, ..., the last linear with none.
    CNN (LeNet, ``helmholtz train --model cnn``; input a flat image): ``("unflatten", C, H, W)``,
    ``("conv2d", in, out, k, padding)``, ``(activation,)``, ``(pooling, size)``, the same again, ``("flatten",)``, then
    the linear layers as in the MLP. Activation names are Helmholtz's (tanh, relu, sigmoid); pooling is ``max`` or
    ``average``. Build the module from it with a few lines of PyTorch (docs/python.md).
    """
    act = str(config.get("activation", "tanh")).lower()
    model = config.get("model", "mlp")
    layers: List[Tuple] = []
    if model == "mlp":
        count = len([k for k in parameters if k.startswith("layers.") and k.endswith(".weight")])
        for i in range(count):
            out_features, in_features = parameters[f"layers.{i}.weight"].shape
            layers.append(("linear", int(in_features), int(out_features)))
            if i < count - 1:
                layers.append((act,))
        return layers
    if model == "cnn":
        w1, w2 = parameters["conv1.weight"], parameters["conv2.weight"]
        k = int(w1.shape[2])
        pool = ("max", 2)
        side = int(round((parameters["fc1.weight"].shape[1] // w2.shape[0]) ** 0.5))
        # LeNet: conv1 keeps the size (padding k // 2), pool halves it, conv2 (no padding) shrinks it by k - 1, pool halves.
        height = (side * 2 + k - 1) * 2
        layers += [("unflatten", int(w1.shape[1]), height, height)]
        layers += [("conv2d", int(w1.shape[1]), int(w1.shape[0]), k, k // 2), (act,), pool]
        layers += [("conv2d", int(w2.shape[1]), int(w2.shape[0]), k, 0), (act,), pool, ("flatten",)]
        count = len([n for n in parameters if n.startswith("fc") and n.endswith(".weight")])
        for i in range(1, count + 1):
            out_features, in_features = parameters[f"fc{i}.weight"].shape
            layers.append(("linear", int(in_features), int(out_features)))
            if i < count:
                layers.append((act,))
        return layers
    raise ValueError(f"model '{model}': sequential_layout knows mlp and cnn (the recurrent models are modules, docs/engine.md)")


def sequential_state_dict(checkpoint: Checkpoint) -> Dict[str, np.ndarray]:
    """The parameters renamed to the indices of ``sequential_layout``'s ``nn.Sequential`` (``layers.1.weight`` → ``2.weight``)."""
    layout = sequential_layout(checkpoint.config, checkpoint.parameters)
    learned = [i for i, layer in enumerate(layout) if layer[0] in ("linear", "conv2d")]
    if checkpoint.config.get("model", "mlp") == "mlp":
        sources = [f"layers.{j}" for j in range(len(learned))]
    else:
        sources = ["conv1", "conv2"] + [f"fc{j}" for j in range(1, len(learned) - 1)]
    renamed: Dict[str, np.ndarray] = {}
    for index, source in zip(learned, sources):
        for suffix in ("weight", "bias"):
            if f"{source}.{suffix}" in checkpoint.parameters:
                renamed[f"{index}.{suffix}"] = checkpoint.parameters[f"{source}.{suffix}"]
    if len(renamed) != len(checkpoint.parameters):
        missing = sorted(set(checkpoint.parameters) - {f"{s}.{x}" for s in sources for x in ("weight", "bias")})
        raise ValueError(f"parameters not placed in the Sequential: {missing}")
    return renamed


# ---------------------------------------------------------------------------------------------------------------------
# discrete models (pymdp conventions)

_ARRAY_KEYS = ("A", "B", "C", "D", "E", "pA", "pB", "pD")
_LIST_KEYS = ("A", "B", "C", "D", "pA", "pB", "pD")


def _as_list(value: Any, key: str) -> List[np.ndarray]:
    """pymdp holds one array per modality or factor in an object array; a plain ndarray stands for a list of one."""
    if isinstance(value, np.ndarray) and value.dtype != object:
        return [np.asarray(value, dtype=float)]
    if isinstance(value, (np.ndarray, list, tuple)):
        return [np.asarray(v, dtype=float) for v in value]
    raise TypeError(f"{key}: expected an object array or list of arrays, got {type(value).__name__}")


def _obj_array(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """An object array of the given arrays, as pymdp's ``utils.obj_array`` makes them."""
    out = np.empty(len(arrays), dtype=object)
    for i, a in enumerate(arrays):
        out[i] = a
    return out


def model_from_pymdp(A, B, C=None, D=None, E=None, pA=None, pB=None, pD=None, **options) -> Dict[str, Any]:
    """Helmholtz's model JSON (as a dict) from pymdp-style arrays; ``options`` are the file's other keys.

    A[m]: [outcomes, states of factor 0, factor 1, ...]; B[f]: [next, previous, controls]; C[m], D[f]: vectors; E: one
    vector over policies; pA, pB, pD: Dirichlet counts in the shapes of A, B, D. Each may be a pymdp object array, a
    list of arrays, or (for one modality or factor) a single array. Options use pymdp's names: policy_len,
    inference_horizon, inference_algo, control_factors, gamma, alpha, use_utility, use_states_info_gain, ...
    (docs/active-inference/model.md). Numbers keep float64; Helmholtz validates the model when it loads the file.
    """
    model: Dict[str, Any] = {}
    given = {"A": A, "B": B, "C": C, "D": D, "E": E, "pA": pA, "pB": pB, "pD": pD}
    for key in _ARRAY_KEYS:
        value = given[key]
        if value is None:
            continue
        if key == "E":
            model[key] = np.asarray(value, dtype=float).reshape(-1).tolist()
        else:
            model[key] = [a.tolist() for a in _as_list(value, key)]
    for key, value in options.items():
        if value is None:
            continue
        model[key] = value.tolist() if isinstance(value, np.ndarray) else value
    return model


def model_from_agent(agent: Any) -> Dict[str, Any]:
    """The model JSON of a pymdp ``Agent`` (its arrays and the options Helmholtz reads), read by attribute name."""
    options = {}
    for key in ("control_fac_idx", "policy_len", "inference_horizon", "inference_algo", "gamma", "alpha", "use_utility",
                "use_states_info_gain", "use_param_info_gain", "action_selection", "lr_pA", "lr_pB", "lr_pD"):
        if hasattr(agent, key):
            value = getattr(agent, key)
            options["control_factors" if key == "control_fac_idx" else key] = (
                [int(v) for v in value] if key == "control_fac_idx" else _plain(value))
    return model_from_pymdp(*(getattr(agent, k, None) for k in _ARRAY_KEYS), **options)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def model_to_pymdp(model: Mapping[str, Any]) -> Dict[str, Any]:
    """pymdp-style arrays from a model dict: A, B, C, D, pA, pB, pD as object arrays, E as a vector, options as given."""
    out: Dict[str, Any] = {}
    for key, value in model.items():
        if key in _LIST_KEYS and value is not None:
            out[key] = _obj_array([np.asarray(v, dtype=float) for v in value])
        elif key == "E" and value is not None:
            out[key] = np.asarray(value, dtype=float)
        else:
            out[key] = value
    return out


def save_model(path: str, model: Mapping[str, Any], indent: Optional[int] = None) -> None:
    """Writes a model dict (``model_from_pymdp``) as JSON; floats keep their shortest round-trip form."""
    text = json.dumps(_to_json(model), indent=indent)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def _to_json(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return [_to_json(v) for v in value] if value.dtype == object else value.tolist()
    if isinstance(value, Mapping):
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    return _plain(value)


def load_model(path: str, as_pymdp: bool = True) -> Dict[str, Any]:
    """Reads a model JSON file; with ``as_pymdp`` its arrays become pymdp-style object arrays (``model_to_pymdp``)."""
    with open(path, encoding="utf-8") as f:
        model = json.load(f)
    if not isinstance(model, dict) or "A" not in model or "B" not in model:
        raise ValueError(f"{path}: a model file is a JSON object with keys \"A\" and \"B\"")
    return model_to_pymdp(model) if as_pymdp else model


# ---------------------------------------------------------------------------------------------------------------------
# run folders


def _number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _columns(rows: List[List[str]]) -> Dict[str, np.ndarray]:
    if not rows:
        return {}
    header, body = rows[0], [r for r in rows[1:] if r]
    columns: Dict[str, np.ndarray] = {}
    for i, name in enumerate(header):
        values = [_number(r[i]) if i < len(r) else "" for r in body]
        if all(isinstance(v, int) for v in values):
            columns[name] = np.asarray(values, dtype=np.int64)
        elif all(isinstance(v, (int, float)) for v in values):
            columns[name] = np.asarray(values, dtype=float)
        else:
            columns[name] = np.asarray([str(v) for v in values], dtype=object)
    return columns


def read_metrics(path: str) -> Dict[str, np.ndarray]:
    """A run folder's metrics.csv (or the CSV at ``path``) as {column: array}: integers, floats, or strings."""
    if os.path.isdir(path):
        path = os.path.join(path, "metrics.csv")
    with open(path, newline="", encoding="utf-8") as f:
        return _columns(list(csv.reader(f)))


def read_config(path: str) -> Dict[str, Any]:
    """A run folder's config.json (or the JSON file at ``path``)."""
    if os.path.isdir(path):
        path = os.path.join(path, "config.json")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read_run(folder: str) -> Dict[str, Any]:
    """{"config": config.json, "metrics": metrics.csv columns} of a run folder (either may be missing: None)."""
    def maybe(reader, name):
        p = os.path.join(folder, name)
        return reader(p) if os.path.exists(p) else None

    return {"config": maybe(read_config, "config.json"), "metrics": maybe(read_metrics, "metrics.csv")}
