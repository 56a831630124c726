"""Map a format's names onto a spec's: class renames, attribute renames, value maps, tags.

A mapping is a small TOML or JSON file (documented in ``docs/formats.md``)::

    key_case = "snake"                      # keep | lower | snake: attribute keys, before renames
    drop = ["Nighttime_Cloudy"]             # classes whose objects are dropped

    [classes]                               # format class -> spec class
    CAR = "car"

    [attributes]                            # attribute renames for every class
    Occluded = "occluded"

    [values]                                # value maps for every class (keys: the value as text)
    occluded = { yes = true, no = false }   # a scalar replaces the value
    class_id = { 1 = { color = "yellow", style = "solid" } }  # a table sets several attributes

    [per_class.CAR]                         # the same two tables for one (format) class
    attributes = { truncated = "cut" }
    values = { truncated = { yes = true, no = false } }

    [image]                                 # the same two tables for image attributes
    attributes = {}
    values = {}

    [tags]                                  # tag classes turned into image attributes
    Daytime_Clear = { time = "day", weather = "clear" }

Every key names the format's own spelling; every target is the spec's. For each
attribute the value map applies first (to the format's name), then the rename.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from specdsl.data.records import ImageRecord

KEY_CASES = ("keep", "lower", "snake")


@dataclass(frozen=True, slots=True)
class AttributeMap:
    renames: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # attribute -> value text -> target


@dataclass(frozen=True, slots=True)
class Mapping:
    classes: dict[str, str] = field(default_factory=dict)
    drop: frozenset[str] = frozenset()
    key_case: str = "keep"
    common: AttributeMap = field(default_factory=AttributeMap)
    per_class: dict[str, AttributeMap] = field(default_factory=dict)
    image: AttributeMap = field(default_factory=AttributeMap)
    tags: dict[str, dict[str, Any]] = field(default_factory=dict)


class MappingError(ValueError):
    """The mapping file is malformed; the message names the file and the offending key."""


def load_mapping(path: str | Path) -> Mapping:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (OSError, ValueError) as exc:
        raise MappingError(f"{path}: {exc}") from exc
    return mapping_from_dict(raw, str(path))


def mapping_from_dict(raw: dict, where: str = "<mapping>") -> Mapping:
    known = {"key_case", "drop", "classes", "attributes", "values", "per_class", "image", "tags"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise MappingError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})")
    key_case = raw.get("key_case", "keep")
    if key_case not in KEY_CASES:
        raise MappingError(f"{where}: key_case must be one of {', '.join(KEY_CASES)}, not {key_case!r}")
    image = raw.get("image", {})
    if not isinstance(image, dict):
        raise MappingError(f"{where}: image must be a table with 'attributes' and 'values'")
    return Mapping(
        classes=_str_table(raw.get("classes", {}), f"{where}: classes"),
        drop=frozenset(_str_list(raw.get("drop", []), f"{where}: drop")),
        key_case=key_case,
        common=_attribute_map(raw.get("attributes", {}), raw.get("values", {}), where),
        per_class={name: _attribute_map(t.get("attributes", {}), t.get("values", {}),
                                        f"{where}: per_class.{name}")
                   for name, t in _tables(raw.get("per_class", {}), f"{where}: per_class").items()},
        image=_attribute_map(image.get("attributes", {}), image.get("values", {}), f"{where}: image"),
        tags={name: dict(t) for name, t in _tables(raw.get("tags", {}), f"{where}: tags").items()},
    )


def _attribute_map(renames: Any, values: Any, where: str) -> AttributeMap:
    return AttributeMap(_str_table(renames, f"{where}: attributes"),
                        {name: dict(t) for name, t in _tables(values, f"{where}: values").items()})


def _tables(raw: Any, where: str) -> dict[str, dict]:
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise MappingError(f"{where} must be a table of tables")
    return raw


def _str_table(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise MappingError(f"{where} must map names to names")
    return dict(raw)


def _str_list(raw: Any, where: str) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise MappingError(f"{where} must be a list of names")
    return raw


def value_text(value: Any) -> str:
    """How a value is looked up in a value map: 1 -> "1", true -> "true", "yes" -> "yes"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else json.dumps(value)


def convert_key(key: str, key_case: str) -> str:
    if key_case == "lower":
        return key.lower()
    if key_case == "snake":
        return re.sub(r"[^0-9a-z]+", "_", key.lower()).strip("_") or key
    return key


def map_attributes(attributes: dict, maps: tuple[AttributeMap, ...], key_case: str) -> dict:
    """Value maps first (on the format's names), then renames; ``maps`` in order of precedence."""
    out: dict = {}
    for key, value in attributes.items():
        target = _value_target(key, value, maps)
        if isinstance(target, dict):
            out.update(target)
            continue
        out[_renamed(key, maps, key_case)] = target
    return out


def _value_target(key: str, value: Any, maps: tuple[AttributeMap, ...]) -> Any:
    text = value_text(value)
    for amap in maps:
        table = amap.values.get(key)
        if table is not None and text in table:
            return table[text]
    return value


def _renamed(key: str, maps: tuple[AttributeMap, ...], key_case: str) -> str:
    converted = convert_key(key, key_case)
    for amap in maps:
        for candidate in (key, converted):
            if candidate in amap.renames:
                return amap.renames[candidate]
    return converted


def apply_mapping(record: ImageRecord, mapping: Mapping) -> ImageRecord:
    """A new record with the mapping applied; object pointers (and positions) follow the objects that remain."""
    data = dict(record.data)
    image_attrs = map_attributes(data.get("attributes") or {}, (mapping.image,), mapping.key_case)
    objects, pointers, positions = [], [], []
    for k, obj in enumerate(data.get("objects") or []):
        cls = obj.get("class") if isinstance(obj, dict) else None
        if cls in mapping.tags:
            image_attrs.update(mapping.tags[cls])
            continue
        if cls in mapping.drop:
            continue
        objects.append(_map_object(obj, mapping) if isinstance(obj, dict) else obj)
        pointers.append(record.object_pointer(k))
        positions.append(record.object_position(k))
    data["attributes"] = image_attrs
    data["objects"] = objects
    return replace(record, data=data, object_pointers=pointers,
                   object_positions=positions if record.object_positions is not None else None)


def _map_object(obj: dict, mapping: Mapping) -> dict:
    cls = obj.get("class")
    maps = (mapping.per_class[cls], mapping.common) if cls in mapping.per_class else (mapping.common,)
    mapped = dict(obj)
    if isinstance(obj.get("attributes"), dict):
        mapped["attributes"] = map_attributes(obj["attributes"], maps, mapping.key_case)
    if isinstance(cls, str):
        mapped["class"] = mapping.classes.get(cls, cls)
    return mapped
