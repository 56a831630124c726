"""``specc select`` and ``specc suspect`` time / ``specc check`` time of the same data, and peak memory.

    python bench/model_vs_check.py [--size 1000000] [--runs 3] [--lines rows|resampled]

The export is bench/generate.py's lane export of N objects; the predictions are one line per image of
it with N predicted objects: each labeled object jittered by a pixel or two (a lane's vertices at its
label's rows, as a row-anchored lane model gives them; ``--lines resampled``: with a vertex more, so that
no Hausdorff distance is settled without measuring it), a class distribution
(lane_line/vehicle, peaked on the labeled class) and a distribution for every enum/bool attribute,
about 5% of them peaked on another value than the label's, plus the image's weather. select reads the
predictions alone (every quota of lanes.spec short, so the quota step runs; budget 1000); suspect reads
the export and the predictions. Both are set against one `specc check` of the export. Fresh processes,
medians of ``--runs``, peak memory over the process tree (see check_vs_orjson.py). The machine is
shared and noisy (2 cores): read the ratios.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from pathlib import Path

import orjson
from check_vs_orjson import OUT, ROOT, ensure_export, measure

VALUES = {"color": ("white", "yellow", "orange"), "style": ("solid", "dashed", "double"),
          "occluded": (False, True), "overridden": (False, True), "blinker": ("off", "left", "right", "hazard"),
          "parked": (False, True)}
DEFAULTS = {"style": "solid", "occluded": False, "overridden": False}


def ensure_predictions(n: int, lines: str = "rows"):
    path = OUT / (f"lanes_{n}_predictions.jsonl" if lines == "rows" else f"lanes_{n}_predictions_{lines}.jsonl")
    if not path.exists():  # in another process: this one's peak memory would show in the measured ones' rusage
        subprocess.run([sys.executable, __file__, "--write-predictions", str(path), "--size", str(n), "--lines",
                        lines], check=True)
    return path


def _write_predictions(path: Path, n: int, lines: str) -> None:
    rng = random.Random(2)
    document = orjson.loads(ensure_export(n).read_bytes())
    partial = path.with_name(path.name + ".partial")  # an interrupted run leaves no file to be taken as whole
    with open(partial, "wb") as out:
        for image in document["images"]:
            line = {"image": image["id"], "width": image["width"], "height": image["height"],
                    "attributes": {"weather": _peaked(rng, ("dry", "wet", "snow"), image["attributes"]["weather"])},
                    "objects": [_predicted(rng, obj, lines) for obj in image["objects"]]}
            out.write(orjson.dumps(line) + b"\n")
    partial.replace(path)


def _predicted(rng: random.Random, obj: dict, lines: str) -> dict:
    out = {"class": _peaked(rng, ("lane_line", "vehicle"), obj["class"], flip=0.0)}  # the geometry says the class
    if "box" in obj:
        out["box"] = [v + rng.gauss(0, 1) for v in obj["box"][:2]] + obj["box"][2:]
    else:
        out["points"] = [[x + rng.gauss(0, 1), y] for x, y in obj["points"]]
        if lines == "resampled":  # a vertex more than the label: every Hausdorff distance is measured
            (x0, y0), (x1, y1) = out["points"][:2]
            out["points"].insert(1, [(x0 + x1) / 2, (y0 + y1) / 2])
    names = ("color", "style", "occluded", "overridden") if obj["class"] == "lane_line" else ("blinker", "parked")
    out["attributes"] = {name: _peaked(rng, VALUES[name], obj["attributes"].get(name, DEFAULTS.get(name)))
                         for name in names}
    return out


def _peaked(rng: random.Random, values: tuple, truth, flip: float = 0.05) -> dict:
    """Most mass on the labeled value; with probability ``flip`` on another one (a suspect)."""
    winner = truth if truth in values and rng.random() >= flip else rng.choice(values)
    top = rng.uniform(0.6, 0.98)
    rest = (1 - top) / (len(values) - 1)
    return {_key(v): (top if v == winner else rest) for v in values}


def _key(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def specc(*args: str) -> list[str]:
    return [sys.executable, "-m", "specdsl.cli.main", *args]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lines", choices=("rows", "resampled"), default="rows",
                        help="predicted lane vertices at the labels' rows (jittered across, as a row-anchored lane "
                             "model gives them), or with a vertex more than the label's")
    parser.add_argument("--write-predictions", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_predictions:
        _write_predictions(args.write_predictions, args.size, args.lines)
        return
    spec = str(ROOT / "specs" / "lanes.spec")
    export, predictions = str(ensure_export(args.size)), str(ensure_predictions(args.size, args.lines))
    print(f"{'command':<28} {'objects':>9} {'check s':>8} {'cmd s':>7} {'ratio':>6} {'check MB':>9} {'cmd MB':>7}")
    check = measure(specc("check", spec, export, "--format", "json", "--progress", "none"), args.runs)
    select = measure(specc("select", spec, "--predictions", predictions, "--budget", "1000", "--format", "json"),
                     args.runs)
    _row("select", args.size, check, select)
    suspect = measure(specc("suspect", spec, export, "--predictions", predictions, "--format", "json"), args.runs)
    _row("suspect", args.size, check, suspect)


def _row(name: str, n: int, check: tuple[float, float], other: tuple[float, float]) -> None:
    print(f"{name:<28} {n:>9} {check[0]:>8.2f} {other[0]:>7.2f} {other[0] / check[0]:>6.2f} "
          f"{check[1]:>9.0f} {other[1]:>7.0f}", flush=True)


if __name__ == "__main__":
    main()
