"""QueueSampler: train on the samples the relabel queue does not hold back.

``pending="skip"`` leaves out every sample whose image has an open (pending or claimed) queue item.
``pending="downweight"`` keeps them at a lower sampling weight: each epoch draws ``len(sample_ids)``
indices *with replacement*, with probability proportional to 1 (clean) or ``weight`` (queued). We chose
drawing with replacement (as torch's WeightedRandomSampler does) over a weighted permutation because a
permutation still shows every sample once per epoch, which would not lower a queued sample's share.

Across ranks it behaves like torch's DistributedSampler: every rank computes the same epoch order from
``seed + epoch``, pads it (repeating from the start) or, with ``drop_last``, cuts it to a multiple of
``num_replicas``, and takes every ``num_replicas``-th index from ``rank``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import torch
import torch.distributed as dist
from torch.utils.data import Sampler

from specdsl.torch._queue_source import QueueLike, read_pending_images

PENDING_MODES = ("skip", "downweight")


class QueueSampler(Sampler[int]):
    def __init__(self, sample_ids: Sequence[str], queue: QueueLike = "relabel.db", pending: str = "skip",
                 weight: float = 0.1, *, shuffle: bool = True, seed: int = 0, num_replicas: int | None = None,
                 rank: int | None = None, drop_last: bool = False, sync: bool | None = None) -> None:
        if pending not in PENDING_MODES:
            raise ValueError(f"pending must be one of {', '.join(PENDING_MODES)}, not {pending!r}")
        if not weight >= 0:
            raise ValueError("weight must be >= 0")
        self.sample_ids = [str(i) for i in sample_ids]
        self.queue = queue
        self.pending = pending
        self.weight = float(weight)
        self.shuffle = shuffle
        self.seed = seed
        self.drop_last = drop_last
        self.num_replicas, self.rank = _world(num_replicas, rank)
        # Ranks must agree on what is held back, or their shares overlap and DDP hangs on unequal lengths:
        # under torch.distributed rank 0 reads the queue and broadcasts what it saw.
        self.sync = _distributed_world() > 1 if sync is None else sync
        self.epoch = 0
        self.held_ids: frozenset[str] = frozenset()
        self.refresh()

    def refresh(self) -> None:
        """Re-read the queue (a collective call when ``sync``: every rank must call it)."""
        if not self.sync:
            self.held_ids = read_pending_images(self.queue)
            return
        snapshot = [read_pending_images(self.queue) if dist.get_rank() == 0 else None]
        dist.broadcast_object_list(snapshot, src=0)
        self.held_ids = snapshot[0]

    def set_epoch(self, epoch: int) -> None:
        """A new shuffle (``seed + epoch``) and a fresh look at the queue."""
        self.epoch = epoch
        self.refresh()

    def __iter__(self) -> Iterator[int]:
        order = self._epoch_order()
        return iter(self._rank_share(order))

    def __len__(self) -> int:
        return self._share_size(self._epoch_length())

    # --- the plan ------------------------------------------------------------------------------------

    def kept_indices(self) -> list[int]:
        """Indices of the samples with no open queue item."""
        return [k for k, sample_id in enumerate(self.sample_ids) if sample_id not in self.held_ids]

    def _epoch_length(self) -> int:
        kept = len(self.kept_indices())
        if self.pending == "skip" or (kept == 0 and self.weight == 0):
            return kept
        return len(self.sample_ids)

    def _epoch_order(self) -> list[int]:
        generator = torch.Generator().manual_seed(self.seed + self.epoch)
        if self.pending == "downweight":
            return self._weighted_draw(generator)
        kept = self.kept_indices()
        if not self.shuffle:
            return kept
        return [kept[p] for p in torch.randperm(len(kept), generator=generator).tolist()]

    def _weighted_draw(self, generator: torch.Generator) -> list[int]:
        weights = torch.tensor([self.weight if i in self.held_ids else 1.0 for i in self.sample_ids],
                               dtype=torch.double)
        if not self.sample_ids or float(weights.sum()) == 0.0:
            return []
        return torch.multinomial(weights, len(self.sample_ids), replacement=True, generator=generator).tolist()

    def _share_size(self, length: int) -> int:
        if self.drop_last:
            return length // self.num_replicas
        return math.ceil(length / self.num_replicas)

    def _rank_share(self, order: list[int]) -> list[int]:
        total = self._share_size(len(order)) * self.num_replicas
        if not order:
            return []
        if total > len(order):  # pad by repeating from the start, as DistributedSampler does
            order = order + (order * math.ceil(total / len(order)))[:total - len(order)]
        return order[self.rank:total:self.num_replicas]


def _distributed_world() -> int:
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


def _world(num_replicas: int | None, rank: int | None) -> tuple[int, int]:
    active = dist.is_available() and dist.is_initialized()
    replicas = num_replicas if num_replicas is not None else (dist.get_world_size() if active else 1)
    own_rank = rank if rank is not None else (dist.get_rank() if active else 0)
    if replicas < 1 or not 0 <= own_rank < replicas:
        raise ValueError(f"rank {own_rank} is not in [0, {replicas})")
    return replicas, own_rank
