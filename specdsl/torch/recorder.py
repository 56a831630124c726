"""LossRecorder: per-sample loss statistics across epochs, and the samples that look mislabeled.

Per id it keeps the mean and variance across epochs of the epoch's mean loss (Welford), the last raw
loss, how many epochs saw it, and its class. :meth:`LossRecorder.flag` picks samples whose mean loss, or
whose spread across epochs, is far above the rest of their class (robust z-score: median and MAD) and
pushes them to the queue as ``review`` items. The z-scores are taken of ``log(x + class median)``
rather than of raw losses (see :func:`_compress`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import torch

from specdsl.torch._queue_source import QueueLike, borrowed_queue

REASON = "suspected_mislabel"
MAD_TO_SIGMA = 1.4826  # MAD of a normal distribution times this is its standard deviation
STATE_VERSION = 1
_ARRAYS = ("count", "mean", "m2", "last", "epoch_sum", "epoch_n")


class LossRecorder:
    def __init__(self, queue: QueueLike = "relabel.db", reason: str = REASON) -> None:
        self.queue = queue
        self.reason = reason
        self.epochs = 0
        self.ids: list[str] = []
        self.classes: list[Hashable | None] = []
        self._index: dict[str, int] = {}
        self._arrays = {name: np.zeros(0) for name in _ARRAYS}

    # --- recording -----------------------------------------------------------------------------------

    def update(self, ids: Iterable[Any], losses: Any, classes: Any = None) -> None:
        """Record one step; ``losses`` per sample (``reduction="none"``), a tensor or a sequence."""
        rows = self._rows([str(i) for i in _as_list(ids)])
        values = _as_array(losses)
        if values.shape != (len(rows),):
            raise ValueError(f"{len(rows)} ids but losses of shape {tuple(values.shape)}")
        arrays = self._arrays
        np.add.at(arrays["epoch_sum"], rows, values)
        np.add.at(arrays["epoch_n"], rows, 1.0)
        arrays["last"][rows] = values
        if classes is not None:
            for row, label in zip(rows, _as_list(classes), strict=True):
                self.classes[row] = label

    def end_epoch(self) -> None:
        """Fold this epoch's mean loss per sample into the running mean and variance (Welford)."""
        a = self._arrays
        seen = a["epoch_n"] > 0
        epoch_loss = a["epoch_sum"][seen] / a["epoch_n"][seen]
        a["count"][seen] += 1
        delta = epoch_loss - a["mean"][seen]
        a["mean"][seen] += delta / a["count"][seen]
        a["m2"][seen] += delta * (epoch_loss - a["mean"][seen])
        a["epoch_sum"][:] = 0.0
        a["epoch_n"][:] = 0.0
        self.epochs += 1

    def _rows(self, ids: Sequence[str]) -> np.ndarray:
        new = [i for i in dict.fromkeys(ids) if i not in self._index]
        if new:
            for sample_id in new:
                self._index[sample_id] = len(self.ids)
                self.ids.append(sample_id)
                self.classes.append(None)
            for name, array in self._arrays.items():
                self._arrays[name] = np.concatenate([array, np.zeros(len(new))])
        return np.fromiter((self._index[i] for i in ids), dtype=np.int64, count=len(ids))

    # --- reading -------------------------------------------------------------------------------------

    def statistics(self) -> dict[str, np.ndarray]:
        """Per id (in ``self.ids`` order): epochs seen, mean and std of the epoch loss, last loss."""
        a = self._arrays
        with np.errstate(invalid="ignore", divide="ignore"):
            std = np.where(a["count"] > 1, np.sqrt(a["m2"] / np.maximum(a["count"] - 1, 1)), 0.0)
        return {"epochs": a["count"].astype(np.int64), "mean": a["mean"].copy(), "std": std,
                "last": a["last"].copy()}

    def scores(self, min_epochs: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Robust z of the mean loss and of its spread, within class; NaN for ids with too few epochs."""
        stats = self.statistics()
        eligible = stats["epochs"] >= min_epochs
        codes = {label: code for code, label in enumerate(dict.fromkeys(self.classes))}
        groups = np.array([codes[c] for c in self.classes], dtype=np.int64)
        z_mean = _robust_z_by_group(stats["mean"], groups, eligible)
        z_std = _robust_z_by_group(stats["std"], groups, eligible)
        return eligible, z_mean, z_std

    def flag(self, z: float = 3.0, min_epochs: int = 2, top_k: int | None = None,
             spread_z: float | None = None) -> list[str]:
        """Ids whose mean loss is ``z`` (or whose spread is ``spread_z``, default ``z + 1``) robust
        deviations above their class, strongest first; pushed to the queue as ``review`` items."""
        eligible, z_mean, z_std = self.scores(min_epochs)
        # strength >= 1 exactly when a criterion fires; the queue score strength / (strength + 1) is in
        # [0.5, 1) and grows with it
        strength = np.fmax(z_mean / z, z_std / (z + 1.0 if spread_z is None else spread_z))
        chosen = np.flatnonzero(eligible & (strength > 1.0))
        chosen = chosen[np.argsort(-strength[chosen], kind="stable")][:top_k]
        stats = self.statistics()
        requests = [self._review_request(k, stats, (strength[k], z_mean[k], z_std[k])) for k in chosen]
        with borrowed_queue(self.queue, create=True) as queue:
            if queue is not None and requests:
                queue.push_reviews(requests)
        return [self.ids[k] for k in chosen]

    def _review_request(self, k: int, stats: Mapping[str, np.ndarray],
                        zs: tuple[float, float, float]) -> tuple[str, str, float, dict[str, Any]]:
        strength, z_mean, z_std = zs
        label = self.classes[k]
        details = {"mean_loss": float(stats["mean"][k]), "loss_std": float(stats["std"][k]),
                   "epochs": int(stats["epochs"][k]), "z_mean": round(float(z_mean), 3),
                   "z_std": round(float(z_std), 3), "class": label if isinstance(label, int | str) else None}
        return self.ids[k], self.reason, round(float(strength / (strength + 1.0)), 4), details

    # --- checkpoints ---------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """Tensors, lists and ints only, so ``torch.load(..., weights_only=True)`` reads it back."""
        state: dict[str, Any] = {"version": STATE_VERSION, "epochs": self.epochs, "ids": list(self.ids),
                                 "classes": list(self.classes)}
        state.update({name: torch.from_numpy(array.copy()) for name, array in self._arrays.items()})
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"unknown LossRecorder state version {state.get('version')!r}")
        self.epochs = int(state["epochs"])
        self.ids = [str(i) for i in state["ids"]]
        self.classes = list(state["classes"])
        self._index = {sample_id: k for k, sample_id in enumerate(self.ids)}
        self._arrays = {name: np.asarray(state[name], dtype=np.float64).copy() for name in _ARRAYS}


def _robust_z_by_group(values: np.ndarray, groups: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    z = np.full(values.shape, np.nan)
    for group in np.unique(groups[eligible]):
        members = eligible & (groups == group)
        z[members] = robust_z(_compress(values[members]))
    return z


def _compress(values: np.ndarray) -> np.ndarray:
    """log(x + median): losses are skewed (most near 0, a long tail), so on raw losses the MAD is tiny
    and every borderline sample looks extreme. The log tames the tail, the median offset keeps losses
    near 0 from spreading out, and the z-scores stay the same if all losses are scaled."""
    return np.log(values + np.median(values) + 1e-12)


def robust_z(values: np.ndarray) -> np.ndarray:
    """(x - median) / (1.4826 * MAD); falls back to the standard deviation when MAD is 0."""
    median = np.median(values)
    scale = MAD_TO_SIGMA * np.median(np.abs(values - median))
    if scale <= 1e-12:
        scale = float(np.std(values))
    if scale <= 1e-12:
        return np.zeros_like(values)
    return (values - median) / scale


def _as_list(values: Any) -> list[Any]:
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().reshape(-1).tolist()
    if isinstance(values, np.ndarray):
        return values.reshape(-1).tolist()
    return list(values)


def _as_array(losses: Any) -> np.ndarray:
    if isinstance(losses, torch.Tensor):
        return losses.detach().to("cpu", torch.float64).reshape(-1).numpy()
    return np.asarray(losses, dtype=np.float64).reshape(-1)
