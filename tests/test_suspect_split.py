"""Pairing half the images in a forked process gives the report of one process (``specc suspect --jobs``)."""

from __future__ import annotations

import json

from test_suspect import SPEC, generate


def _report(tmp_path, jobs: int):
    from specdsl.compiler import compile_source
    from specdsl.data import load_export
    from specdsl.data.readers import ReadOptions
    from specdsl.engine.labels import LabelSet
    from specdsl.engine.predictions import read_predictions
    from specdsl.engine.suspect import suspect
    from specdsl.source import Source

    spec = compile_source(Source("roads.spec", SPEC)).spec
    export, lines, _ = generate(7, n_images=120)
    (tmp_path / "labels.json").write_text(json.dumps(export))
    (tmp_path / "p.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    labels_path = str(tmp_path / "labels.json")
    labels = LabelSet.of(labels_path, spec, load_export(labels_path, None, ReadOptions()), labels_path)
    return suspect(spec, [labels], read_predictions(tmp_path / "p.jsonl", spec, jobs=1), jobs)


def test_split_pairing_equals_one_process(tmp_path, monkeypatch) -> None:
    from specdsl.engine import suspect as module

    monkeypatch.setattr(module, "SPLIT_OBJECTS", 1)  # split every geometry, however small
    one, two = _report(tmp_path, 1), _report(tmp_path, 2)
    assert two.summary() == one.summary()
    assert [f.to_dict() for f in two.findings] == [f.to_dict() for f in one.findings]
    assert one.matched > 100


def test_a_failing_child_leaves_the_work_to_this_process(tmp_path, monkeypatch) -> None:
    from specdsl.engine import forked
    from specdsl.engine import suspect as module

    monkeypatch.setattr(module, "SPLIT_OBJECTS", 1)
    one = _report(tmp_path, 1)
    monkeypatch.setattr(forked, "_run", lambda send, work: send.close())  # the child sends nothing
    two = _report(tmp_path, 2)
    assert [f.to_dict() for f in two.findings] == [f.to_dict() for f in one.findings]


def test_pairs_settled_without_measuring_are_the_measured_pairs(tmp_path, monkeypatch) -> None:
    """A lone candidate whose Hausdorff distance is bounded within the threshold is not measured: the pairs,
    and so the report, are those of measuring every candidate."""
    import numpy as np

    from specdsl.engine import suspect as module

    settled = []
    real = module._settled
    monkeypatch.setattr(module, "_settled", lambda *args: settled.append(real(*args)) or settled[-1])
    quick = _report(tmp_path, 1)
    assert sum(int(s.sum()) for s in settled) > 50  # the jittered lines of the generator: most are settled
    monkeypatch.setattr(module, "_settled", lambda a, b, ia, *rest: np.zeros(len(ia), bool))
    measured = _report(tmp_path, 1)
    assert quick.summary() == measured.summary()
    assert [f.to_dict() for f in quick.findings] == [f.to_dict() for f in measured.findings]


def test_an_export_in_halves_beside_a_whole_one_gives_the_report_of_one_process(tmp_path, monkeypatch) -> None:
    """`specc suspect` reads an export in halves after the predictions' workers (joining the predictions in
    between) and a small one beside them: the report is that of --jobs 1, in the exports' order."""
    from specdsl.cli import export_halves
    from specdsl.cli.main import main
    from specdsl.engine import predictions_parts

    export, lines, _ = generate(11, n_images=120)
    (tmp_path / "roads.spec").write_text(SPEC)
    (tmp_path / "big.json").write_text(json.dumps(export))
    (tmp_path / "small.json").write_text(json.dumps({**export, "images": export["images"][:6]}))
    (tmp_path / "p.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    monkeypatch.setattr(export_halves, "MIN_BYTES", 1 << 12)  # big.json in halves, small.json in one pass
    monkeypatch.setattr(predictions_parts, "MIN_BYTES", 1 << 10)  # the predictions in two workers
    halves = []
    real = export_halves._read_halves
    monkeypatch.setattr(export_halves, "_read_halves", lambda path, *rest: halves.append(path) or real(path, *rest))
    reports = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}.json"
        main(["suspect", str(tmp_path / "roads.spec"), str(tmp_path / "small.json"), str(tmp_path / "big.json"),
              "--predictions", str(tmp_path / "p.jsonl"), "--jobs", jobs, "--format", "json", "-o", str(out)])
        reports.append(json.loads(out.read_text()))
    assert reports[0] == reports[1]
    assert halves == [str(tmp_path / "big.json")]  # with --jobs 2 only
    summary = reports[0]["summary"]
    assert summary["images"] + summary["unpredicted"] == 6 + len(export["images"])  # both exports compared
