"""Datasets read in parts and joined (the shards of a folder, suspect's halves) equal the dataset read in one
pass, down to the order of their columns: attributes sorted, tool flags in ``FLAG_KEYS`` order."""

from __future__ import annotations

from specdsl.data.build import build_dataset
from specdsl.data.merge import merge_datasets
from specdsl.data.records import ImageRecord


def _records(images: list[dict], first: int = 0) -> list[ImageRecord]:
    return [ImageRecord(image, "labels.json", f"/images/{first + k}") for k, image in enumerate(images)]


def _image(k: int, **flags) -> dict:
    obj = {"id": f"o{k}", "class": "car", "box": [1, 1, 5, 5], "attributes": {"parked": k % 2 == 0}, **flags}
    return {"id": f"i{k}", "width": 10, "height": 10, "objects": [obj]}


def test_joined_parts_keep_the_one_pass_order_of_flags_and_attributes() -> None:
    images = [_image(0, z_order=1), _image(1, rotation=15.0), _image(2, occluded=True, z_order=2),
              _image(3, occluded=False)]
    whole = build_dataset(_records(images), "labels.json")
    for cut in range(1, len(images)):
        joined = merge_datasets(build_dataset(_records(images[:cut]), "labels.json"),
                                build_dataset(_records(images[cut:], cut), "labels.json", first_image=cut))
        assert list(joined.tables["car"].flags) == list(whole.tables["car"].flags) == ["occluded", "z_order",
                                                                                        "rotation"], cut
        assert list(joined.tables["car"].attributes) == list(whole.tables["car"].attributes)
        for name, column in whole.tables["car"].flags.items():
            assert joined.tables["car"].flags[name].values().tolist() == column.values().tolist(), (cut, name)
