"""``specc agree`` and ``specc stats`` time / ``specc check`` time of the same data, and peak memory.

    python bench/engine_vs_check.py [--agree-size 200000] [--stats-size 1000000] [--runs 3]

agree compares two labelers' exports of N objects each (the second a jittered copy of the first with
about 2% of objects dropped and 5% of attributes changed) and is set against one `specc check` of both
files; stats reads one export of M objects and is set against `specc check` of it. Fresh processes,
medians of ``--runs``, peak memory over the process tree (see check_vs_orjson.py). The machine is
shared and noisy (2 cores): read the ratios.
"""

from __future__ import annotations

import argparse
import random
import sys

import orjson
from check_vs_orjson import OUT, ROOT, ensure_export, measure

FLIP = {"white": "yellow", "yellow": "white", "orange": "white", "off": "left", "left": "off", "right": "off",
        "solid": "dashed", "dashed": "solid"}


def second_labeler(n: int):
    path = OUT / f"lanes_{n}_second.json"
    if path.exists():
        return path
    rng = random.Random(1)
    document = orjson.loads(ensure_export(n).read_bytes())
    for image in document["images"]:
        kept = [o for o in image["objects"] if rng.random() >= 0.02]
        for obj in kept:
            if "box" in obj:
                obj["box"] = [v + rng.gauss(0, 2) for v in obj["box"][:2]] + obj["box"][2:]
            if "points" in obj:
                obj["points"] = [[x + rng.gauss(0, 2), y] for x, y in obj["points"]]
            for key, value in obj["attributes"].items():
                if rng.random() < 0.05 and value in FLIP:
                    obj["attributes"][key] = FLIP[value]
        image["objects"] = kept
    path.write_bytes(orjson.dumps(document))
    return path


def specc(*args: str) -> list[str]:
    return [sys.executable, "-m", "specdsl.cli.main", *args]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agree-size", type=int, default=200_000)
    parser.add_argument("--stats-size", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    spec = str(ROOT / "specs" / "lanes.spec")
    print(f"{'command':<28} {'objects':>9} {'check s':>8} {'cmd s':>7} {'ratio':>6} {'check MB':>9} {'cmd MB':>7}")

    first, second = str(ensure_export(args.agree_size)), str(second_labeler(args.agree_size))
    check = measure(specc("check", spec, first, second, "--format", "json", "--progress", "none"), args.runs)
    agree = measure(specc("agree", spec, first, second, "--format", "json"), args.runs)
    _row("agree (2 exports)", 2 * args.agree_size, check, agree)

    export = str(ensure_export(args.stats_size))
    check = measure(specc("check", spec, export, "--format", "json", "--progress", "none"), args.runs)
    stats = measure(specc("stats", spec, export, "--format", "json"), args.runs)
    _row("stats", args.stats_size, check, stats)
    stats_by = measure(specc("stats", spec, export, "--format", "json", "--by", "image.weather"), args.runs)
    _row("stats --by image.weather", args.stats_size, check, stats_by)


def _row(name: str, n: int, check: tuple[float, float], other: tuple[float, float]) -> None:
    print(f"{name:<28} {n:>9} {check[0]:>8.2f} {other[0]:>7.2f} {other[0] / check[0]:>6.2f} "
          f"{check[1]:>9.0f} {other[1]:>7.0f}")


if __name__ == "__main__":
    main()
