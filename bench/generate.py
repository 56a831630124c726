"""Generate a lane-style native export: ``python bench/generate.py N_OBJECTS OUT.json [--jsonl]``.

Each image holds 14 lane lines and 6 vehicles; a few percent of records break a rule or a
constraint so that the checker has findings to report, as on real data.
"""

from __future__ import annotations

import argparse
import random

import orjson


def lane(j: int, rng: random.Random) -> dict:
    x = rng.uniform(0, 1900)
    points = [[round(x + rng.uniform(-50, 50), 1), round(1079 - 100 * t, 1)] for t in range(rng.randint(2, 6))]
    color = rng.choice(["white", "white", "yellow", "orange"])
    return {"id": f"a{j}", "class": "lane_line", "points": points,
            "attributes": {"color": color, "style": rng.choice(["solid", "dashed"]), "occluded": False}}


def vehicle(j: int, rng: random.Random) -> dict:
    return {"id": f"a{j}", "class": "vehicle", "box": [rng.uniform(0, 1800), rng.uniform(0, 1000), 80, 60],
            "attributes": {"blinker": rng.choice(["off", "off", "left", "right"]), "parked": rng.random() < 0.2}}


def image(i: int, rng: random.Random) -> dict:
    objects = [lane(j, rng) if j < 14 else vehicle(j, rng) for j in range(20)]
    return {"id": f"seq{i // 1000:03d}/{i:06d}.jpg", "width": 1920, "height": 1080, "spec_version": 3,
            "attributes": {"weather": rng.choice(["dry", "dry", "wet", "snow"])}, "objects": objects}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("objects", type=int)
    parser.add_argument("out")
    parser.add_argument("--jsonl", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    images = [image(i, rng) for i in range((args.objects + 19) // 20)]
    with open(args.out, "wb") as out:
        if args.jsonl:
            out.writelines(orjson.dumps(img) + b"\n" for img in images)
        else:
            out.write(orjson.dumps({"spec": "lanes", "images": images}))


if __name__ == "__main__":
    main()
