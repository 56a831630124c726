"""The training hook (extra ``specdsl[torch]``): sample around the relabel queue and feed it suspects.

    from specdsl.torch import IdDataset, LossRecorder, PredictionWriter, QueueSampler

Only this package imports torch; ``import specdsl`` and ``import specdsl.queue`` never do.
"""

from __future__ import annotations

try:
    import torch  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError("specdsl.torch needs PyTorch: pip install 'specdsl[torch]'") from exc

from specdsl.torch.dataset import IdDataset
from specdsl.torch.predictions import PredictionWriter
from specdsl.torch.recorder import LossRecorder
from specdsl.torch.sampler import QueueSampler

__all__ = ["IdDataset", "LossRecorder", "PredictionWriter", "QueueSampler"]
