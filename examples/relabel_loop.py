"""The whole relabel loop on a tiny CPU model: check -> diff -> queue -> training skips stale samples ->
the loss recorder flags planted label noise -> predictions -> suspect and select -> the queue.

    python examples/relabel_loop.py --workdir /tmp/loop

Each image holds one road marking; the model predicts its color (white/yellow) from two features of the
marking (its direction and its position). Version 2 of the spec says long white markings may really be
orange construction lines, so those images become stale: the sampler skips them. A few labels of the other
images are flipped on purpose; the recorder finds them from their losses and queues them for review.
The trained model then writes its predictions (``PredictionWriter``) for the labeled images and for a
batch of new, unlabeled ones: ``specc suspect`` finds the flipped labels by confident learning and
``specc select`` picks the new images the model is least sure about; both go to the queue.
Prints a JSON summary (the test asserts on it).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from pathlib import Path

import torch

from specdsl.queue import open_queue
from specdsl.torch import IdDataset, LossRecorder, PredictionWriter, QueueSampler

HERE = Path(__file__).resolve().parent / "relabel_loop"


def specc(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "specdsl.cli.main", *args], capture_output=True, text=True)


def make_export(path: Path, n: int, rng: random.Random, first: int = 0) -> list[dict]:
    """Images labeled under version 1: yellow markings lean left and sit left, white ones lean right."""
    images = []
    for i in range(first, first + n):
        color = rng.choice(["white", "yellow"])
        lean = rng.uniform(0.2, 1.0) * (1 if color == "white" else -1)
        x = 100 + (60 if color == "white" else -60) + rng.gauss(0, 25)
        length = rng.uniform(40, 200)
        points = [[x, 190.0], [x + lean * length * 0.5, 190.0 - length]]
        images.append({"id": f"img{i:04d}", "width": 200, "height": 200, "spec_version": 1,
                       "objects": [{"id": "m1", "class": "marking", "points": points, "attributes": {"color": color}}]})
    path.write_text(json.dumps({"spec": "markings", "images": images}))
    return images


def features(image: dict) -> list[float]:
    (x0, y0), (x1, y1) = image["objects"][0]["points"]
    return [(x1 - x0) / max(abs(y1 - y0), 1e-6), (x0 - 100) / 60]


def train(images, labels, sampler, recorder, epochs: int) -> torch.nn.Module:
    torch.manual_seed(0)
    data = IdDataset([(torch.tensor(features(img)), torch.tensor(float(labels[img["id"]]))) for img in images],
                     [img["id"] for img in images])
    loader = torch.utils.data.DataLoader(data, batch_size=32, sampler=sampler)
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        for (x, y), ids in loader:
            losses = loss_fn(model(x).squeeze(1), y)
            recorder.update(list(ids), losses.detach(), classes=[int(v) for v in y.tolist()])
            optimizer.zero_grad()
            losses.mean().backward()
            optimizer.step()
        recorder.end_epoch()
    return model


def run(workdir: Path, n: int = 400, noise: float = 0.05, seed: int = 0) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    export, queue = workdir / "labels.json", workdir / "relabel.db"
    images = make_export(export, n, rng)
    check = specc("check", str(HERE / "v2.spec"), str(export), "--format", "json", "--exit-zero", "--progress", "none")
    (workdir / "check.json").write_text(check.stdout)
    diff = specc("diff", str(HERE / "v1.spec"), str(HERE / "v2.spec"), "--labels", str(export), "--format", "json")
    (workdir / "diff.json").write_text(diff.stdout)
    build = specc("queue", "build", "--queue", str(queue), str(workdir / "diff.json"), str(workdir / "check.json"))
    if build.returncode != 0:
        raise SystemExit(f"queue build failed: {build.stderr}")
    stale = {item["image"] for item in json.loads(diff.stdout)["impact"]}

    labels = {img["id"]: int(img["objects"][0]["attributes"]["color"] == "white") for img in images}
    fresh = [i for i in labels if i not in stale]
    planted = set(rng.sample(fresh, int(noise * len(fresh))))
    for image_id in planted:
        labels[image_id] = 1 - labels[image_id]

    sampler = QueueSampler([img["id"] for img in images], queue=str(queue), pending="skip", seed=seed)
    seen = set()
    recorder = LossRecorder(queue=str(queue))
    model = train(images, labels, _Recording(sampler, seen), recorder, epochs=12)
    flagged = set(recorder.flag(z=2.5, min_epochs=3))
    engine = model_in_the_loop(workdir, images, labels, model, rng)
    with open_queue(str(queue)) as q:
        reviews = {item.image for item in q.items() if "suspected_mislabel" in item.reasons}
        stats = q.stats()
    suspected = engine.pop("suspected")
    return {"images": n, "stale": len(stale), "trained_on": len(seen), "stale_seen": len(seen & stale),
            "planted": len(planted), "flagged": len(flagged), "flagged_planted": len(flagged & planted),
            "queued_reviews": len(reviews), "suspected_planted": len(suspected & planted), **engine, "queue": stats}


def model_in_the_loop(workdir: Path, images: list[dict], labels: dict, model, rng: random.Random) -> dict:
    """Predictions of the trained model -> ``specc suspect`` (labels it doubts) and ``specc select`` (new images
    worth labeling) -> the queue."""
    current, predictions = workdir / "labels_trained.json", workdir / "predictions.jsonl"
    trained = [_with_color(img, "white" if labels[img["id"]] else "yellow") for img in images]
    current.write_text(json.dumps({"spec": "markings", "images": trained}))
    new = make_export(workdir / "unlabeled.json", len(images) // 4, rng, first=len(images))
    write_predictions(predictions, model, images + new)
    spec, queue = str(HERE / "v2.spec"), str(workdir / "relabel.db")
    suspect = specc("suspect", spec, str(current), "--predictions", str(predictions), "--format", "json",
                    "-o", str(workdir / "suspect.json"))
    if suspect.returncode != 0:
        raise SystemExit(f"suspect failed: {suspect.stderr}")
    build = specc("queue", "build", "--queue", queue, str(workdir / "suspect.json"))
    if build.returncode != 0:
        raise SystemExit(f"queue build failed: {build.stderr}")
    select = specc("select", spec, "--predictions", str(predictions), "--budget", "10", "--labels", str(current),
                   "--queue", queue, "--format", "json")
    if select.returncode != 0:
        raise SystemExit(f"select failed: {select.stderr}")
    findings = json.loads((workdir / "suspect.json").read_text())["findings"]
    picks = json.loads(select.stdout)["selected"]
    return {"suspected": {f["image"] for f in findings if f["check"] == "marking.suspect_color"},
            "suspect_findings": len(findings), "new_images": len(new), "selected": [p["image"] for p in picks]}


def write_predictions(path: Path, model: torch.nn.Module, images: list[dict]) -> None:
    """What a detector's evaluation loop does: per image its objects' class and attribute logits and geometry."""
    model.eval()
    with torch.no_grad(), PredictionWriter(path, classes=["marking"],
                                           attributes={"color": ["white", "yellow"]}) as writer:
        for img in images:
            white = model(torch.tensor([features(img)])).reshape(1, 1)  # logit of white against yellow
            writer.add(img["id"], class_logits=torch.zeros(1, 1), polylines=[img["objects"][0]["points"]],
                       attribute_logits={"color": torch.cat([white, torch.zeros(1, 1)], dim=1)},
                       width=img["width"], height=img["height"])


def _with_color(image: dict, color: str) -> dict:
    marking = {**image["objects"][0], "attributes": {"color": color}}
    return {**image, "objects": [marking]}


class _Recording(torch.utils.data.Sampler):
    """Wraps the sampler to remember which samples training actually drew."""

    def __init__(self, sampler: QueueSampler, seen: set):
        self.sampler, self.seen = sampler, seen

    def set_epoch(self, epoch: int) -> None:
        self.sampler.set_epoch(epoch)

    def __iter__(self):
        for index in self.sampler:
            self.seen.add(self.sampler.sample_ids[index])
            yield index

    def __len__(self) -> int:
        return len(self.sampler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("build/relabel_loop"))
    parser.add_argument("--images", type=int, default=400)
    args = parser.parse_args()
    print(json.dumps(run(args.workdir, args.images), indent=2))


if __name__ == "__main__":
    main()
