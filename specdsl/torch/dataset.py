"""IdDataset: give every sample of a map-style dataset a stable id (the export's image id)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from torch.utils.data import Dataset


class IdDataset(Dataset):
    """``dataset[i]`` paired with ``ids[i]``: ``(sample, id)``, or ``{"sample": ..., "id": ...}``.

    The ids let a :class:`~specdsl.torch.LossRecorder` follow a sample across epochs and shuffles, and
    a :class:`~specdsl.torch.QueueSampler` match samples to queue items.
    """

    def __init__(self, dataset: Any, ids: Sequence[str], as_dict: bool = False) -> None:
        ids = [str(i) for i in ids]
        if len(ids) != len(dataset):
            raise ValueError(f"{len(ids)} ids for a dataset of {len(dataset)} samples")
        duplicates = sorted(i for i, n in Counter(ids).items() if n > 1)
        if duplicates:
            raise ValueError(f"sample ids must be unique; repeated: {', '.join(duplicates[:5])}"
                             + (f" and {len(duplicates) - 5} more" if len(duplicates) > 5 else ""))
        self.dataset = dataset
        self.ids = ids
        self.as_dict = as_dict
        self._index = {sample_id: k for k, sample_id in enumerate(ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: int) -> Any:
        sample = self.dataset[index]
        if self.as_dict:
            return {"sample": sample, "id": self.ids[index]}
        return sample, self.ids[index]

    def index_of(self, sample_id: str) -> int:
        return self._index[sample_id]
