"""The labeler page's "What changed" panel: the diff registry's sentences and the impact's exact counts."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from test_diff_attribution import NEW, OLD, TRAFFIC, impact_of
from test_diff_history import LABELS, V1, V2, V3, git

from specdsl.cli import main as cli
from specdsl.diff import diff_specs
from specdsl.docs import render_docs
from specdsl.docs.changes import build_panel


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    spec = tmp_path / "roads.spec"
    for text in (V1, V2, V3):
        spec.write_text(text, encoding="utf-8")
        git(tmp_path, "add", "roads.spec")
        git(tmp_path, "commit", "-q", "-m", "version")
    return spec


def panel_items(html: str) -> list[str]:
    """The text of each change of the panel, tags stripped."""
    panel = html[html.index('id="what-changed"'):html.index("</section>", html.index('id="what-changed"'))]
    return [_text(li) for li in re.findall(r"<li>(.*?)</li>", panel, re.DOTALL)]


def _text(html: str) -> str:
    return re.sub(r"\s+([.,:])", r"\1", " ".join(re.sub(r"<[^>]+>", " ", html).split()))


def test_panel_counts_are_the_exact_counts_per_change() -> None:
    panel = build_panel(NEW, diff_specs(OLD, NEW), impact_of([TRAFFIC]), since=1)
    counts = {(item.change_id, item.target): (item.objects, item.images) for g in panel.groups for item in g.items}
    assert counts == {("RELABEL_DECLARED", "traffic_light"): (2, 1),
                      ("ATTRIBUTE_RENAMED", "traffic_light.hidden"): (2, 1),
                      ("ATTRIBUTE_RENAMED", "sign.shape"): (1, 1)}
    assert [n.version for n in panel.notes] == [2]
    html = render_docs(NEW, changes=diff_specs(OLD, NEW), impact=impact_of([TRAFFIC]), since=1)
    relabel = next(text for text in panel_items(html) if "RELABEL_DECLARED" in text)
    assert relabel.startswith("Relabel every traffic_light labeled before where arrow is true.")
    assert "affects 2 labeled objects in 1 image" in relabel


def test_since_lists_structural_changes_read_from_git(repo: Path, tmp_path: Path, capsys) -> None:
    labels, out = tmp_path / "labels.json", tmp_path / "page.html"
    labels.write_text(json.dumps(LABELS), encoding="utf-8")
    assert cli.main(["docs", str(repo), "--since", "1", "--labels", str(labels), "-o", str(out)]) == 0
    items = panel_items(out.read_text(encoding="utf-8"))
    removed = next(i for i in items if "ENUM_VALUE_REMOVED" in i)
    assert removed.startswith("The value double_dashed of lane.marking was removed: relabel the objects that carry it.")
    assert "affects 1 labeled object in 1 image" in removed
    assert any(i.startswith("New requirement for every lane: it has at least 2 points.") for i in items)
    assert any(i.startswith("New attribute lane.occluded: when you leave it out it means false.") for i in items)
    renamed = next(i for i in items if "ENUM_VALUE_RENAMED" in i)
    assert renamed.startswith("The value botts_dots of lane.marking is now called botts")
    assert "Version 2: Double dashed lines are two dashed lines now." in _text(out.read_text(encoding="utf-8"))
    assert capsys.readouterr().err == ""  # every version read from git: nothing approximate to note


def test_since_without_git_lists_what_the_blocks_declare_and_says_so(repo: Path, tmp_path: Path, capsys) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(repo, alone / "roads.spec")
    out = tmp_path / "page.html"
    assert cli.main(["docs", str(alone / "roads.spec"), "--since", "1", "-o", str(out)]) == 0
    assert "not in its git history" in capsys.readouterr().err
    items = panel_items(out.read_text(encoding="utf-8"))
    assert [i.split(".")[0] for i in items] == ["The value botts_dots of lane"]
    assert "ENUM_VALUE_REMOVED" not in out.read_text(encoding="utf-8")


def test_panel_links_come_from_the_typed_payload() -> None:
    panel = build_panel(NEW, diff_specs(OLD, NEW), None, since=1)
    links = {(item.change_id, item.target): item.link for g in panel.groups for item in g.items}
    assert links == {("RELABEL_DECLARED", "traffic_light"): "#class-traffic_light",
                     ("ATTRIBUTE_RENAMED", "traffic_light.hidden"): "#class-traffic_light-attr-hidden",
                     ("ATTRIBUTE_RENAMED", "sign.shape"): "#class-sign-attr-shape"}
    assert all(item.objects is None for g in panel.groups for item in g.items)  # no labels given: no counts
