"""Generate a lane-style native export: ``python bench/generate.py N_OBJECTS OUT.json [--jsonl]``.

Each image holds 12 lane lines (one per slot across the image) and 8 vehicles; about 1% of lines
are too short and 1% of vehicles too small, and orange lines sometimes run beside a white one, so the
checker has findings to report, as on real data.
"""

from __future__ import annotations

import argparse
import random

import orjson


def lane(j: int, slot: int, rng: random.Random) -> dict:
    """A lane marking in its own slot across the image; about 1% are too short (a constraint fires)."""
    x = 60 + 140 * slot + rng.uniform(-30, 30)
    step = 0.5 if rng.random() < 0.01 else 100
    points = [[round(x + rng.uniform(-20, 20), 1), round(1079 - step * t, 1)] for t in range(rng.randint(2, 6))]
    color = rng.choices(["white", "yellow", "orange"], weights=[70, 27, 3])[0]
    return {"id": f"a{j}", "class": "lane_line", "points": points,
            "attributes": {"color": color, "style": rng.choice(["solid", "dashed"]), "occluded": False}}


def vehicle(j: int, rng: random.Random) -> dict:
    size = 3 if rng.random() < 0.01 else 80  # about 1% are too small to be a vehicle
    return {"id": f"a{j}", "class": "vehicle", "box": [rng.uniform(0, 1800), rng.uniform(0, 1000), size, size * 0.75],
            "attributes": {"blinker": rng.choice(["off", "off", "left", "right"]), "parked": rng.random() < 0.2}}


def image(i: int, rng: random.Random) -> dict:
    slots = rng.sample(range(13), 12)
    objects = [lane(j, slots[j], rng) if j < 12 else vehicle(j, rng) for j in range(20)]
    if rng.random() < 0.05:  # construction zone: an orange line over a white one that is not marked overridden
        first = objects[0]
        first["attributes"]["color"] = "orange"
        beside = [[x + 4, y] for x, y in first["points"]]
        objects.append({"id": "a20", "class": "lane_line", "points": beside, "attributes": {"color": "white"}})
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
