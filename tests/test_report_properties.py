"""Whatever text a finding carries (any unicode, control characters, lone surrogates), every
machine format stays valid and reads back; line-based formats keep one finding per line."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specdsl.report import RENDERERS, CheckReport, Finding, RenderContext, render
from specdsl.report.finding import KINDS, SEVERITY_RANK, summarize
from specdsl.report.junit import xml_safe

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft4Validator(SCHEMA)
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=30)  # surrogates included

findings = st.builds(
    Finding, check=ANY_TEXT, kind=st.sampled_from(KINDS), severity=st.sampled_from(sorted(SEVERITY_RANK)),
    image=st.none() | ANY_TEXT, objects=st.lists(ANY_TEXT, max_size=3).map(tuple), message=ANY_TEXT,
    source=ANY_TEXT, pointer=ANY_TEXT,
    spec_location=st.one_of(ANY_TEXT, st.builds("{}:{}:{}".format, ANY_TEXT, st.integers(1, 999),
                                                 st.integers(1, 99))),
    help=st.none() | ANY_TEXT)
reports = st.lists(findings, max_size=6).map(
    lambda fs: CheckReport("lanes", 3, summarize(len(fs), 2 * len(fs), tuple(fs)), tuple(fs)))
contexts = st.builds(RenderContext, spec_path=ANY_TEXT, spec_text=st.none() | ANY_TEXT,
                     exports=st.lists(ANY_TEXT, max_size=2).map(tuple), docs_url=st.none() | ANY_TEXT,
                     color=st.booleans(), checks=st.lists(ANY_TEXT, max_size=3).map(tuple))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def utf8(text: str) -> bytes:
    return text.encode("utf-8")  # raises if a lone surrogate slipped through


@SETTINGS
@given(reports, contexts)
def test_json_formats_read_back_exactly(report: CheckReport, ctx: RenderContext) -> None:
    expected = [json.loads(json.dumps(_with_help_url(f.to_dict(), ctx))) for f in report.findings]
    document = json.loads(utf8(render("json", report, ctx)))
    assert document == {**json.loads(json.dumps(report.to_dict())), "findings": expected}
    lines = utf8(render("jsonl", report, ctx)).decode().splitlines()
    assert [json.loads(line) for line in lines] == expected


def _with_help_url(record: dict, ctx: RenderContext) -> dict:
    """The record plus ``help_url``: the ``help`` anchor resolved against ``--docs-url``, when both are set."""
    url = ctx.help_uri(record.get("help"))
    return {**record, "help_url": url} if url else record


@SETTINGS
@given(reports, contexts)
def test_sarif_is_schema_valid_for_any_text(report: CheckReport, ctx: RenderContext) -> None:
    document = json.loads(utf8(render("sarif", report, ctx)))
    assert not list(VALIDATOR.iter_errors(document))
    assert [r["ruleId"] for r in document["runs"][0]["results"]] == [f.check for f in report.findings]


@SETTINGS
@given(reports, contexts)
def test_junit_is_well_formed_xml_for_any_text(report: CheckReport, ctx: RenderContext) -> None:
    root = ET.fromstring(utf8(render("junit", report, ctx)))
    names = {case.get("name") for case in root.iter("testcase")}
    assert {xml_safe(f.check) for f in report.findings} <= names


@SETTINGS
@given(reports, contexts)
def test_gitlab_is_json_with_unique_fingerprints(report: CheckReport, ctx: RenderContext) -> None:
    issues = json.loads(utf8(render("gitlab", report, ctx)))
    assert len({i["fingerprint"] for i in issues}) == len(issues) == len(report.findings)


@SETTINGS
@given(reports, contexts)
def test_line_formats_keep_one_record_per_line(report: CheckReport, ctx: RenderContext) -> None:
    concise = utf8(render("concise", report, ctx)).decode()
    assert concise.count("\n") == len(report.findings)
    github = utf8(render("github", report, ctx)).decode().split("\n")[:-1]  # the runner splits on \n only
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in github)
    assert len(github) <= 31
    utf8(render("text", report, ctx))


def test_every_renderer_is_covered_here() -> None:
    covered = {"json", "jsonl", "sarif", "junit", "gitlab", "concise", "github", "text",
               "html"}  # html: tests/test_report_html.py::test_any_text_makes_a_valid_inert_page
    assert covered == set(RENDERERS)
