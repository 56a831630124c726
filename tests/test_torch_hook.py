"""The training hook on CPU with real torch: sampler around the queue, loss recorder, DDP shares."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import numpy as np
import orjson
import pytest

torch = pytest.importorskip("torch")

from torch.utils.data import DataLoader, TensorDataset

from specdsl.queue import open_queue
from specdsl.torch import IdDataset, LossRecorder, QueueSampler

IDS = [f"seq01/{k:06d}.jpg" for k in range(40)]


def make_queue(path: Path, pending=(), claimed=(), done=()) -> Path:
    with open_queue(path) as queue:
        for image in claimed:
            queue.push_review(image, "suspected_mislabel", 0.9, None)
        queue.claim("l-01", len(claimed))
        for image in done:
            queue.push_review(image, "suspected_mislabel", 0.9, None)
        queue.done([item.id for item in queue.items("pending")])
        for image in pending:
            queue.push_review(image, "suspected_mislabel", 0.9, None)
    return path


# --- IdDataset ----------------------------------------------------------------------------------------------

def test_id_dataset_pairs_samples_with_ids():
    base = TensorDataset(torch.arange(4.0))
    ids = ["a.jpg", "b.jpg", "c.jpg", "d.jpg"]
    dataset = IdDataset(base, ids)
    sample, sample_id = dataset[2]
    assert sample_id == "c.jpg"
    assert float(sample[0]) == 2.0
    assert IdDataset(base, ids, as_dict=True)[1]["id"] == "b.jpg"
    assert dataset.index_of("d.jpg") == 3
    assert len(dataset) == 4
    (values,), batch_ids = next(iter(DataLoader(dataset, batch_size=4)))
    assert list(batch_ids) == ids
    assert values.tolist() == [0.0, 1.0, 2.0, 3.0]


def test_id_dataset_refuses_repeated_or_missing_ids():
    base = TensorDataset(torch.arange(3.0))
    with pytest.raises(ValueError, match="unique; repeated: a.jpg"):
        IdDataset(base, ["a.jpg", "b.jpg", "a.jpg"])
    with pytest.raises(ValueError, match="2 ids for a dataset of 3"):
        IdDataset(base, ["a.jpg", "b.jpg"])


# --- QueueSampler ----------------------------------------------------------------------------------------------

def test_sampler_skips_images_with_open_queue_items(tmp_path):
    queue = make_queue(tmp_path / "q.db", pending=IDS[:3], claimed=IDS[3:5], done=IDS[5:7])
    sampler = QueueSampler(IDS, queue=queue)
    indices = list(sampler)
    assert sorted(indices) == list(range(5, 40))  # pending and claimed held back; done ones train again
    assert len(sampler) == 35
    assert sampler.held_ids == frozenset(IDS[:5])


def test_sampler_without_a_queue_file_keeps_everything(tmp_path):
    sampler = QueueSampler(IDS, queue=tmp_path / "not-built-yet.db")
    assert sorted(sampler) == list(range(40))
    assert not (tmp_path / "not-built-yet.db").exists()


def test_set_epoch_reshuffles_deterministically_and_rereads_the_queue(tmp_path):
    path = make_queue(tmp_path / "q.db", pending=IDS[:2])
    a, b = QueueSampler(IDS, queue=path, seed=5), QueueSampler(IDS, queue=path, seed=5)
    a.set_epoch(3)
    b.set_epoch(3)
    assert list(a) == list(b)
    first = list(a)
    a.set_epoch(4)
    assert list(a) != first
    assert sorted(a) == sorted(first)
    with open_queue(path) as queue:
        queue.push_review(IDS[10], "suspected_mislabel", 0.8, None)
    assert 10 in list(a)  # not re-read yet
    a.set_epoch(5)
    assert 10 not in list(a)
    assert len(a) == 37


@pytest.mark.parametrize("replicas, drop_last", [(2, False), (3, False), (3, True), (4, False), (5, False)])
def test_ranks_get_disjoint_shares_that_cover_the_kept_ids(tmp_path, replicas, drop_last):
    path = make_queue(tmp_path / "q.db", pending=IDS[:5])  # 35 kept: not a multiple of 2, 3 or 4
    shares = [list(QueueSampler(IDS, queue=path, num_replicas=replicas, rank=r, seed=1, drop_last=drop_last))
              for r in range(replicas)]
    kept = set(range(5, 40))
    sizes = {len(share) for share in shares}
    assert len(sizes) == 1  # equal lengths, or DDP hangs
    flat = [i for share in shares for i in share]
    assert set(flat) <= kept
    if drop_last:
        assert len(flat) == 35 // replicas * replicas
        assert len(set(flat)) == len(flat)
    else:
        assert set(flat) == kept
        # padding repeats only as many indices as needed to even out the shares
        assert len(flat) - len(set(flat)) == len(flat) - 35 < replicas
    if 35 % replicas == 0 or drop_last:
        assert all(not set(x) & set(y) for n, x in enumerate(shares) for y in shares[n + 1:])


def test_downweight_keeps_queued_images_at_a_lower_rate(tmp_path):
    path = make_queue(tmp_path / "q.db", pending=IDS[:20])
    counts: Counter[int] = Counter()
    sampler = QueueSampler(IDS, queue=path, pending="downweight", weight=0.25, seed=0)
    for epoch in range(50):
        sampler.set_epoch(epoch)
        counts.update(sampler)
    queued = sum(counts[k] for k in range(20)) / 20
    clean = sum(counts[k] for k in range(20, 40)) / 20
    assert len(sampler) == 40
    assert queued / clean == pytest.approx(0.25, abs=0.06)
    assert all(counts[k] > 0 for k in range(40))


def test_sampler_rejects_bad_arguments():
    with pytest.raises(ValueError, match="pending must be"):
        QueueSampler(IDS, queue=None, pending="ignore")
    with pytest.raises(ValueError, match="rank 2 is not in"):
        QueueSampler(IDS, queue=None, num_replicas=2, rank=2)


DDP_SCRIPT = textwrap.dedent('''
    import json, os, sys
    import torch, torch.distributed as dist, torch.multiprocessing as mp
    from specdsl.torch import QueueSampler

    def worker(rank, world, queue, ids, out, port):
        os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", port
        dist.init_process_group("gloo", rank=rank, world_size=world)
        # rank 1 is pointed at a file that does not exist: what it holds back must come from rank 0
        sampler = QueueSampler(ids, queue=queue if rank == 0 else queue + ".absent", seed=7)
        sampler.set_epoch(2)
        indices = list(sampler)
        model = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(2, 1))
        model(torch.ones(len(indices), 2)).sum().backward()  # one real DDP step over the share
        with open(os.path.join(out, f"{rank}.json"), "w") as handle:
            json.dump({"rank": sampler.rank, "replicas": sampler.num_replicas, "indices": indices,
                       "held": sorted(sampler.held_ids)}, handle)
        dist.barrier()  # neither rank tears gloo down while the other still talks to it
        dist.destroy_process_group()

    if __name__ == "__main__":
        queue, out, port = sys.argv[1:4]
        ids = [f"seq01/{k:06d}.jpg" for k in range(40)]
        mp.spawn(worker, args=(2, queue, ids, out, port), nprocs=2)
''')


def _ddp_run(script, path, out, port) -> subprocess.CompletedProcess:
    """The two-rank run; once more on a fresh port when gloo aborts a rank with a signal. On the shared 2-core
    test machines gloo's background thread has aborted (std::terminate) while the suite loads both cores; the
    assertions below are about what the sampler hands each rank, which a second run checks the same way."""
    env = {**os.environ, "GLOO_SOCKET_IFNAME": "lo"}  # loopback only: no interface guessing
    for attempt in range(2):
        result = subprocess.run([sys.executable, str(script), str(path), str(out), port], capture_output=True,
                                text=True, timeout=120, check=False, env=env)
        if result.returncode == 0 or "terminated with signal" not in result.stderr or attempt:
            return result
        port = _free_port()
    return result


def _free_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


@pytest.mark.slow
def test_real_two_process_gloo_run_splits_the_kept_ids(tmp_path):
    path = make_queue(tmp_path / "q.db", pending=IDS[:6])  # 34 kept: an even split
    script = tmp_path / "ddp.py"
    script.write_text(DDP_SCRIPT)
    port = _free_port()
    start = time.monotonic()
    result = _ddp_run(script, path, tmp_path, port)
    assert result.returncode == 0, result.stderr[-2000:]
    assert time.monotonic() - start < 120
    ranks = [orjson.loads((tmp_path / f"{r}.json").read_bytes()) for r in (0, 1)]
    assert [(r["rank"], r["replicas"]) for r in ranks] == [(0, 2), (1, 2)]
    assert ranks[0]["held"] == ranks[1]["held"] == sorted(IDS[:6])
    zero, one = set(ranks[0]["indices"]), set(ranks[1]["indices"])
    assert not zero & one
    assert zero | one == set(range(6, 40))
    assert len(ranks[0]["indices"]) == len(ranks[1]["indices"]) == 17


# --- LossRecorder ----------------------------------------------------------------------------------------

def test_recorder_keeps_welford_statistics_per_id():
    recorder = LossRecorder(queue=None)
    epochs = [[1.0, 2.0, 0.5], [3.0, 2.0, 0.25], [2.0, 2.0, 0.0]]
    for losses in epochs:
        recorder.update(["a", "b"], torch.tensor(losses[:2]))
        recorder.update(["c", "c"], losses[2:] * 2)  # twice in one epoch: the epoch's mean counts once
        recorder.end_epoch()
    stats = recorder.statistics()
    table = np.array(epochs)
    assert recorder.ids == ["a", "b", "c"]
    assert stats["epochs"].tolist() == [3, 3, 3]
    np.testing.assert_allclose(stats["mean"], table.mean(axis=0))
    np.testing.assert_allclose(stats["std"], table.std(axis=0, ddof=1))
    assert stats["last"].tolist() == [2.0, 2.0, 0.0]


def test_recorder_state_dict_survives_a_weights_only_checkpoint(tmp_path):
    recorder = LossRecorder(queue=None)
    recorder.update(["a", "b"], [0.5, 1.5], classes=torch.tensor([0, 1]))
    recorder.end_epoch()
    torch.save({"recorder": recorder.state_dict()}, tmp_path / "ckpt.pt")
    restored = LossRecorder(queue=None)
    restored.load_state_dict(torch.load(tmp_path / "ckpt.pt", weights_only=True)["recorder"])
    restored.update(["b", "c"], [2.5, 1.0])
    restored.end_epoch()
    assert restored.epochs == 2
    assert restored.ids == ["a", "b", "c"]
    assert restored.classes == [0, 1, None]
    assert restored.statistics()["mean"].tolist() == [0.5, 2.0, 1.0]


def test_recorder_refuses_mismatched_losses():
    with pytest.raises(ValueError, match="3 ids but losses of shape"):
        LossRecorder(queue=None).update(["a", "b", "c"], torch.zeros(2))


def train_with_planted_noise(queue_path: Path | None, seed: int = 0, n: int = 600, noise: int = 30,
                             epochs: int = 8):
    """Logistic regression on two 2-D Gaussians; ``noise`` labels flipped on known ids."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, n)
    points = rng.normal(0.0, 1.0, (n, 2)) + np.where(truth[:, None] == 1, 2.0, -2.0)
    flipped = rng.choice(n, noise, replace=False)
    labels = truth.copy()
    labels[flipped] = 1 - labels[flipped]
    ids = [f"synthetic/{k:05d}.png" for k in range(n)]
    dataset = IdDataset(TensorDataset(torch.tensor(points, dtype=torch.float32),
                                      torch.tensor(labels, dtype=torch.float32)), ids)
    torch.manual_seed(seed)
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    sampler = QueueSampler(ids, queue=queue_path, seed=seed)
    recorder = LossRecorder(queue=queue_path)
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        for (x, y), batch_ids in DataLoader(dataset, batch_size=32, sampler=sampler):
            losses = torch.nn.functional.binary_cross_entropy_with_logits(model(x).squeeze(1), y, reduction="none")
            recorder.update(batch_ids, losses, classes=y.long())
            optimizer.zero_grad()
            losses.mean().backward()
            optimizer.step()
        recorder.end_epoch()
    return recorder, {ids[k] for k in flipped}, sampler


def test_recorder_flags_the_planted_label_noise_and_queues_it(tmp_path):
    path = tmp_path / "relabel.db"
    recorder, planted, sampler = train_with_planted_noise(path)
    flagged = recorder.flag(z=3.0, min_epochs=2)
    hits = len(set(flagged) & planted)
    precision, recall = hits / len(flagged), hits / len(planted)
    # measured: 0.81 and 1.0 at seed 0
    assert precision >= 0.7, (precision, recall)
    assert recall >= 0.9, (precision, recall)

    with open_queue(path) as queue:
        items = queue.items()
        assert queue.pending_images() == set(flagged)
    assert [i.image for i in items] == flagged  # strongest first
    assert all(i.action == "review" and i.reasons == ("suspected_mislabel",) for i in items)
    assert all(0.5 <= i.score < 1.0 for i in items)
    assert items[0].score >= items[-1].score
    assert items[0].details["epochs"] == 8
    assert recorder.flag(z=3.0) == flagged  # flagging again pushes nothing new
    with open_queue(path) as queue:
        assert len(queue.items()) == len(flagged)

    sampler.set_epoch(8)  # the next epoch trains without the suspects
    kept = {sampler.sample_ids[k] for k in sampler}
    assert not kept & set(flagged)
    assert len(kept) == 600 - len(flagged)


def test_flag_honours_min_epochs_and_top_k(tmp_path):
    recorder, _, _ = train_with_planted_noise(None, epochs=3)
    assert recorder.flag(min_epochs=4) == []
    assert len(recorder.flag(top_k=5)) == 5
