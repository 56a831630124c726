"""Reading time per image: TuSimple JSON Lines against a native export of the same lanes.

    python bench/readers_speed.py [--frames 20000] [--lanes 4] [--runs 3]

Both files hold the same frames: ``--lanes`` lanes over TuSimple's 56 ``h_samples`` rows, a few
rows missing (``-2``) at the top of each lane. Each file is read into a dataset (reader + columnar
builder, what ``specc check`` does before checking) in this process, best of ``--runs``; the
ratio is what to read (the machine is shared and noisy). Both are read in one process.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from specdsl.data import load_export  # noqa: E402

OUT = HERE / "out"
H_SAMPLES = list(range(160, 720, 10))  # 56 rows, as in TuSimple


def synthetic_frames(frames: int, lanes: int, seed: int = 7) -> list[list[list[int]]]:
    """Per frame, per lane, one x per h_sample (``-2`` where the lane has no marking)."""
    rng = random.Random(seed)
    out = []
    for _ in range(frames):
        frame = []
        for k in range(lanes):
            start = rng.randrange(0, 12)
            base, slope = 200 + 280 * k, rng.uniform(-1.5, 1.5)
            frame.append([-2 if i < start else int(base + slope * i) for i in range(len(H_SAMPLES))])
        out.append(frame)
    return out


def write_tusimple(path: Path, frames: list) -> None:
    lines = (orjson.dumps({"lanes": lanes, "h_samples": H_SAMPLES, "raw_file": f"clips/{i:06d}/20.jpg"})
             for i, lanes in enumerate(frames))
    path.write_bytes(b"\n".join(lines) + b"\n")


def write_native(path: Path, frames: list) -> None:
    images = []
    for i, lanes in enumerate(frames):
        objects = [{"id": str(k), "class": "lane", "attributes": {},
                    "points": [[x, y] for x, y in zip(xs, H_SAMPLES) if x != -2]}
                   for k, xs in enumerate(lanes)]
        images.append({"id": f"clips/{i:06d}/20.jpg", "width": 1280, "height": 720, "attributes": {},
                       "objects": objects})
    path.write_bytes(orjson.dumps({"spec": "lanes", "images": images}))


def timed(path: Path, fmt: str) -> tuple[float, int]:
    start = time.perf_counter()
    dataset = load_export(path, fmt)
    return time.perf_counter() - start, len(dataset.images)


def best_of(runs: int, files: dict[str, Path]) -> dict[str, tuple[float, int]]:
    """Best time per format; the formats take turns, so that a noisy minute slows both alike."""
    best = {fmt: (float("inf"), 0) for fmt in files}
    for _ in range(runs):
        for fmt, path in files.items():
            seconds, images = timed(path, fmt)
            best[fmt] = (min(best[fmt][0], seconds), images)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=20000)
    parser.add_argument("--lanes", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    frames = synthetic_frames(args.frames, args.lanes)
    tusimple, native = OUT / "tusimple.json", OUT / "native.json"
    write_tusimple(tusimple, frames)
    write_native(native, frames)
    best = best_of(args.runs, {"tusimple": tusimple, "native": native})
    (t_tusimple, n_tusimple), (t_native, n_native) = best["tusimple"], best["native"]
    assert n_tusimple == n_native == args.frames, (n_tusimple, n_native)
    for name, seconds in (("tusimple", t_tusimple), ("native", t_native)):
        print(f"{name:9s} {seconds:7.3f} s  {seconds / args.frames * 1e6:7.1f} us/image")
    print(f"ratio tusimple/native: {t_tusimple / t_native:.2f}")


if __name__ == "__main__":
    main()
