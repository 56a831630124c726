"""The documented end-to-end loop runs on CPU with real torch: check -> diff -> queue -> training -> queue ->
predictions -> suspect and select -> queue."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT, run_specc

pytest.importorskip("torch")


def test_relabel_loop_skips_stale_samples_and_queues_planted_noise(tmp_path) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "relabel_loop.py"), "--workdir", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["stale"] > 0
    assert summary["stale_seen"] == 0  # training never drew an image pending relabel
    assert summary["trained_on"] == summary["images"] - summary["stale"]
    assert summary["flagged_planted"] >= 0.8 * summary["planted"]  # recall of the planted label noise
    assert summary["flagged_planted"] >= 0.5 * summary["flagged"]  # precision
    assert summary["queue"]["reason"]["suspected_mislabel"] == summary["queued_reviews"] == summary["flagged"]
    assert summary["queue"]["reason"]["RELABEL_DECLARED"] == summary["stale"]
    # the model's predictions: suspect finds the planted flips by confident learning, select picks new images
    assert summary["suspected_planted"] >= 0.6 * summary["planted"]
    assert summary["suspected_planted"] >= 0.8 * summary["suspect_findings"]
    assert summary["queue"]["reason"]["marking.suspect_color"] == summary["suspect_findings"]
    assert len(summary["selected"]) == summary["queue"]["action"]["label"] == 10
    assert all(int(image[3:]) >= summary["images"] for image in summary["selected"])  # only unlabeled images
    # building the queue again from the same documents adds nothing
    rebuild = run_specc("queue", "build", "--queue", tmp_path / "relabel.db", tmp_path / "diff.json",
                        tmp_path / "check.json")
    assert rebuild.returncode == 0, rebuild.stderr
    stats = run_specc("queue", "stats", "--queue", tmp_path / "relabel.db", "--format", "json")
    assert json.loads(stats.stdout)["total"] == summary["queue"]["total"], rebuild.stderr
