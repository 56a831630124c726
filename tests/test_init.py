"""``specc init``: drafts from configs and real exports compile, are fmt-clean, and check their exports clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DATA, SPECS, run_specc

from specdsl.compiler import compile_file
from specdsl.data import load_export
from specdsl.data.mapping import load_mapping
from specdsl.data.readers import ReadOptions
from specdsl.data.readers.declared import declared_from_spec
from specdsl.init import Draft, draft_spec, observe_export, read_config
from specdsl.syntax.printer import format_source
from specdsl.validate import run_checks

# Every vendored export, in every format the readers know (see tests/data/README.md).
EXPORTS = [
    "datumaro/coco_dataset/coco_instances/annotations/instances_train.json",
    "datumaro/coco_dataset/coco_instances/annotations/instances_val.json",
    "datumaro/coco_dataset/coco_person_keypoints/annotations/person_keypoints_val.json",
    "datumaro/cvat_dataset/for_images/export_project/annotations.xml",
    "datumaro/cvat_dataset/for_images/export_task/train.xml",
    "datumaro/cvat_dataset/for_video/annotations.xml",
    "label-studio-converter/tests/data/test_export_yolo/data.json",
    "label-studio-converter/tests/data/test_export_yolo/data_obb.json",
    "label-studio-converter/tests/data/test_export_csv/csv_test2.json",
    "label-studio-converter/tests/data/test_export_csv/csv_test_history.json",
    "label-studio-converter/tests/data/test_export_json_min/data_repeater.json",
    "label-studio-sdk/tests/custom/converter/data/test_export_coco/data.json",
    "label-studio-sdk/tests/custom/converter/data/test_export_doclang/data.json",
    "label-studio-sdk/tests/custom/converter/data/test_export_yolo/data_keypoints.json",
    "label-studio-sdk/tests/custom/converter/data/test_import_coco/coco_import_input.json",
    "scalabel/examples/image_list_with_auto_labels.json",
    "scalabel/tests/eval/testcases/boundary/boundary_gts.json",
    "scalabel/tests/eval/testcases/pose/pose_sample.json",
    "tusimple-benchmark/example/label_data.first50.json",
    "tusimple-benchmark/example/pred.first20.json",
]
# Objects that no single geometry of their class can hold (the warnings name them): CVAT labels of type
# "any" drawn with several shapes, and multi-point CVAT <points> where the language's point is one point.
UNFIT = {"datumaro/cvat_dataset/for_images/export_project/annotations.xml": 6,
         "datumaro/cvat_dataset/for_images/export_task/train.xml": 2,
         "datumaro/cvat_dataset/for_video/annotations.xml": 2}


def init(tmp_path: Path, *sources: Path, name: str = "drafted") -> tuple[Path, Path | None]:
    """Run the real ``specc init`` and return the spec and its mapping (None when none was needed)."""
    spec = tmp_path / f"{name}.spec"
    done = run_specc("init", "--from", *sources, "-o", spec)
    assert done.returncode == 0, done.stderr
    mapping = spec.with_name(f"{name}.mapping.toml")
    return spec, mapping if mapping.exists() else None


def schema_and_attribute_findings(spec_path: Path, mapping: Path | None, *exports: Path) -> list:
    spec = compile_file(spec_path)
    options = ReadOptions(mapping=load_mapping(mapping) if mapping else None, declared=declared_from_spec(spec))
    findings = []
    for export in exports:
        findings += [f for f in run_checks(spec, load_export(export, None, options)) if f.kind in ("schema", "attribute")]
    return findings


def read_issues(path: Path) -> int:
    """The export's own defects (unreadable values, duplicate ids): schema findings under any spec."""
    return len(load_export(path, None, ReadOptions()).problems)


@pytest.mark.parametrize("relative", EXPORTS)
def test_a_draft_from_a_real_export_checks_it_clean(relative: str, tmp_path: Path) -> None:
    """In process (the CLI is covered below): the draft compiles, is fmt-clean, and leaves only the export's own
    read problems and the objects the warnings name."""
    path = DATA / relative
    draft = Draft()
    observe_export(draft, path)
    result = draft_spec(draft, "drafted")
    assert format_source(result.spec_text) == result.spec_text
    assert result.unfit_objects == UNFIT.get(relative, 0)
    assert bool([w for w in result.warnings if "schema findings" in w]) == (relative in UNFIT)
    spec_path = tmp_path / "drafted.spec"
    spec_path.write_text(result.spec_text, encoding="utf-8")
    mapping = None
    if result.mapping_text:
        mapping = tmp_path / "drafted.mapping.toml"
        mapping.write_text(result.mapping_text, encoding="utf-8")
    findings = schema_and_attribute_findings(spec_path, mapping, path)
    assert len(findings) == read_issues(path) + result.unfit_objects, [f.message for f in findings]


# ---- the command line ---------------------------------------------------------------------------------


def test_init_writes_a_spec_and_mapping_that_the_cli_checks_clean(tmp_path: Path) -> None:
    export = DATA / "scalabel/examples/image_list_with_auto_labels.json"
    spec = tmp_path / "roads.spec"
    done = run_specc("init", "--from", export, "-o", spec)
    assert done.returncode == 0, done.stderr
    mapping = tmp_path / "roads.mapping.toml"
    assert f"specc check {spec} EXPORT... --mapping {mapping}" in done.stderr
    assert spec.read_text().startswith("spec roads version 1\n")
    assert '"Traffic Light Color" = "traffic_light_color"' in mapping.read_text()
    assert "class traffic_sign: box {" in spec.read_text()
    assert run_specc("compile", spec).returncode == 0
    assert run_specc("fmt", "--check", spec).returncode == 0
    checked = run_specc("check", spec, export, "--mapping", mapping)
    assert checked.returncode == 0, checked.stdout
    assert "no findings in 10 images (25 objects)" in checked.stdout + checked.stderr


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    spec = tmp_path / "lanes.spec"
    spec.write_text("keep me\n")
    export = DATA / "tusimple-benchmark/example/label_data.first50.json"
    refused = run_specc("init", "--from", export, "-o", spec)
    assert refused.returncode == 2
    assert "exists: pass --force" in refused.stderr
    assert spec.read_text() == "keep me\n"
    forced = run_specc("init", "--from", export, "-o", spec, "--force")
    assert forced.returncode == 0, forced.stderr
    assert "class lane: polyline {}" in spec.read_text()
    assert not (tmp_path / "lanes.mapping.toml").exists()


def test_init_prints_to_stdout_without_output(tmp_path: Path) -> None:
    done = run_specc("init", "--from", DATA / "tusimple-benchmark/example/pred.first20.json")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("spec draft version 1\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("content", "message"), [
    ("<View><Image name='image'", "invalid XML"),
    ("not an export", "cannot tell the export format"),
])
def test_bad_sources_are_located_errors_and_write_nothing(tmp_path: Path, content: str, message: str) -> None:
    source = tmp_path / "source.xml"
    source.write_text(content)
    spec = tmp_path / "out.spec"
    done = run_specc("init", "--from", source, "-o", spec)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not spec.exists()


def test_a_missing_source_is_named(tmp_path: Path) -> None:
    done = run_specc("init", "--from", tmp_path / "nope.json")
    assert done.returncode == 2
    assert "nope.json: no such file" in done.stderr


# ---- configs ------------------------------------------------------------------------------------------


def _attributes(spec) -> dict:
    return {cls.name: (cls.geometry, {a.name: (a.type.kind, a.type.values, a.default, a.required)
                                      for a in cls.attributes}) for cls in spec.classes}


def _comparable(drafted) -> dict:
    return {name: (geometry, {a: v[:3] for a, v in attrs.items()}) for name, (geometry, attrs) in drafted.items()}


@pytest.mark.parametrize("spec_file", sorted(SPECS.glob("*.spec")), ids=lambda p: p.name)
def test_label_studio_config_round_trip_keeps_classes_and_attributes(spec_file: Path, tmp_path: Path) -> None:
    """export-config -> init: the same classes, geometries, attribute kinds, enum values and defaults."""
    config = tmp_path / "config.xml"
    assert run_specc("export-config", spec_file, "--target", "label-studio", "-o", config).returncode == 0
    spec, _ = init(tmp_path, config)
    original, drafted = compile_file(spec_file), compile_file(spec)
    # Label Studio's config carries no number ranges (dropped on purpose: a draft should not reject tomorrow's
    # values) and no defaults of numbers or text; a choice's default is its selected choice.
    assert _comparable(_attributes(drafted)) == {name: (geometry, {a: (kind, values, default if kind in ("enum", "bool") else None)
                                                     for a, (kind, values, default, _) in attrs.items()})
                                    for name, (geometry, attrs) in _attributes(original).items()}
    assert {a.name: a.type.kind for a in drafted.image_attributes} == \
        {a.name: a.type.kind for a in original.image_attributes}


def test_cvat_labels_json_declares_classes_and_attribute_types(tmp_path: Path) -> None:
    config = tmp_path / "labels.json"
    assert run_specc("export-config", SPECS / "lanes.spec", "--target", "cvat", "-o", config).returncode == 0
    spec, _ = init(tmp_path, config)
    drafted = {c.name: c for c in compile_file(spec).classes}
    assert drafted["lane_line"].geometry == "polyline"
    assert drafted["vehicle"].geometry == "box"
    color = drafted["lane_line"].attribute("color")
    assert (color.type.kind, color.type.values, color.optional) == ("enum", ("white", "yellow", "orange"), True)
    style = drafted["lane_line"].attribute("style")
    assert (style.type.values, style.default) == (("solid", "dashed", "double"), "solid")
    assert drafted["lane_line"].attribute("overridden").default is False
    assert drafted["vehicle"].attribute("parked").type.kind == "bool"


def test_config_and_export_fold_case_variants_onto_the_config_label(tmp_path: Path) -> None:
    """``Butterfly`` in the export is the config's ``butterfly``: mapped onto it, not a second class."""
    config = tmp_path / "config.xml"
    config.write_text('<View><Image name="image" value="$image"/>'
                      '<RectangleLabels name="label" toName="image"><Label value="butterfly"/>'
                      '<Label value="moth"/></RectangleLabels></View>')
    export = DATA / "label-studio-converter/tests/data/test_export_yolo/data_obb.json"
    spec, mapping = init(tmp_path, config, export)
    assert [c.name for c in compile_file(spec).classes] == ["butterfly", "moth"]
    assert 'Butterfly = "butterfly"' in mapping.read_text()
    assert schema_and_attribute_findings(spec, mapping, export) == []


def test_label_studio_config_with_exports_types_the_attributes(tmp_path: Path) -> None:
    folder = DATA / "label-studio-converter/tests/data/test_export_yolo"
    spec, mapping = init(tmp_path, folder / "label_config.xml", folder / "data.json")
    assert mapping is None
    assert [(c.name, c.geometry) for c in compile_file(spec).classes] == [("parasites", "box"), ("white", "box")]
    assert schema_and_attribute_findings(spec, None, folder / "data.json") == []


def test_a_required_control_that_the_export_leaves_out_is_optional(tmp_path: Path) -> None:
    """The config requires ``kind``, the export's boxes lack it: optional, or the export would not check clean."""
    config = tmp_path / "config.xml"
    config.write_text('<View><Image name="image" value="$image"/>'
                      '<RectangleLabels name="label" toName="image"><Label value="parasites"/><Label value="white"/>'
                      '</RectangleLabels><Choices name="kind" toName="image" perRegion="true" required="true">'
                      '<Choice value="a"/><Choice value="b"/></Choices></View>')
    alone, _ = init(tmp_path, config, name="alone")
    assert "kind: enum { a, b }\n" in alone.read_text()
    export = DATA / "label-studio-converter/tests/data/test_export_yolo/data.json"
    spec, mapping = init(tmp_path, config, export)
    assert "kind: enum { a, b } ?" in spec.read_text()
    assert schema_and_attribute_findings(spec, mapping, export) == []


def test_a_scalabel_config_declares_the_classes_and_the_export_their_geometry(tmp_path: Path) -> None:
    """BDD100K's lane-marking categories (a Scalabel config): the leaves are the classes, drawn as masks."""
    folder = DATA / "scalabel/tests/eval/testcases/boundary"
    spec, mapping = init(tmp_path, folder / "boundary_configs.toml", folder / "boundary_gts.json")
    classes = compile_file(spec).classes
    assert [c.name for c in classes] == ["parallel", "vertical", "solid", "dashed", "crosswalk", "double_other",
                                         "double_white", "double_yellow", "road_curb", "single_other",
                                         "single_white", "single_yellow"]
    used = {"parallel", "vertical", "solid", "dashed", "crosswalk", "double_yellow", "road_curb", "single_white",
            "single_yellow"}
    assert {c.name for c in classes if c.geometry == "mask"} == used
    assert schema_and_attribute_findings(spec, mapping, folder / "boundary_gts.json") == []


def test_opt_in_bdd100k_lane_config(realdata: Path, tmp_path: Path) -> None:
    spec, _ = init(tmp_path, realdata / "bdd100k/bdd100k/configs/lane_mark.toml")
    assert len(compile_file(spec).classes) == 12


def test_a_cvat_export_declares_labels_no_object_uses(tmp_path: Path) -> None:
    """The <meta> of a CVAT export declares ``z U k``, which no shape uses: it is still a class."""
    export = DATA / "datumaro/cvat_dataset/for_video/annotations.xml"
    draft = Draft()
    assert read_config(draft, export) is False  # also an export: its shapes are read next
    observe_export(draft, export)
    result = draft_spec(draft, "video")
    assert "class z_u_k: box {" in result.spec_text
    assert result.mapping == {"classes": {"z U k": "z_u_k"}}


def test_names_that_are_not_identifiers_are_mapped(tmp_path: Path) -> None:
    """Keywords, properties and odd text become identifiers; the mapping leads the sources' names to them."""
    export = tmp_path / "odd.json"
    export.write_text('{"spec": "x", "images": [{"id": "1", "width": 10, "height": 10, "attributes": {}, "objects": ['
                      '{"id": "a", "class": "class", "box": [1, 1, 2, 2], "attributes": {"area": "3 m", "in": 1}},'
                      '{"id": "b", "class": "2-wheeler", "box": [1, 1, 2, 2], "attributes": {"kind": "e-bike"}}]}]}')
    spec, mapping = init(tmp_path, export)
    text = spec.read_text()
    assert "class class_: box {" in text
    assert "area_: enum { n3_m }" in text
    assert "in_: int" in text
    assert "class n2_wheeler: box {" in text
    assert "kind: enum { e_bike }" in text
    assert schema_and_attribute_findings(spec, mapping, export) == []


# ---- real data that may not be vendored (opt-in) -----------------------------------------------------


@pytest.mark.parametrize("relative", [
    "cvat-urban-scene/annotations.xml",
    "bdd100k/tests/label/testcases/example_annotation.json",
    "openlane/eval/LANE_evaluation/lane2d/example/annotations",
])
def test_a_draft_from_opt_in_real_data_checks_it_clean(realdata: Path, relative: str, tmp_path: Path) -> None:
    export = realdata / relative
    spec, mapping = init(tmp_path, export)
    assert run_specc("fmt", "--check", spec).returncode == 0
    findings = schema_and_attribute_findings(spec, mapping, export)
    assert len(findings) == read_issues(export), [f.message for f in findings[:5]]
