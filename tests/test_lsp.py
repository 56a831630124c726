"""``specc lsp`` over a real stdio exchange: a Content-Length framed JSON-RPC client talks to the server process."""

from __future__ import annotations

import itertools
import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import ROOT, SPECS

from specdsl.compiler import compile_source
from specdsl.source import Source
from specdsl.syntax.printer import format_source

pytest.importorskip("pygls", reason="specc lsp needs the extra specdsl[lsp]")

LANES = (SPECS / "lanes.spec").read_text(encoding="utf-8")
URI = "file:///work/lanes.spec"
TIMEOUT = 60


class Client:
    """The client half of the protocol: requests wait for their response; notifications are queued."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        self.process = subprocess.Popen([sys.executable, "-m", "specdsl.cli.main", "lsp"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
        self.ids = itertools.count(1)
        self.inbox: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            headers = {}
            while (line := stream.readline()) not in (b"\r\n", b""):
                key, _, value = line.decode("ascii").partition(":")
                headers[key.strip().lower()] = value.strip()
            if not headers:
                return
            self.inbox.put(json.loads(stream.read(int(headers["content-length"]))))

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def request(self, method: str, params: dict | None) -> dict:
        number = next(self.ids)
        self.send({"id": number, "method": method, "params": params})
        while True:
            message = self.inbox.get(timeout=TIMEOUT)
            if message.get("id") == number and "method" not in message:
                assert "error" not in message, message
                return message.get("result")
            if "method" in message:
                self.inbox.put(message)  # a notification for a later wait; keep its order good enough

    def notify(self, method: str, params: dict) -> None:
        self.send({"method": method, "params": params})

    def notification(self, method: str) -> dict:
        while True:
            message = self.inbox.get(timeout=TIMEOUT)
            if message.get("method") == method:
                return message["params"]


@pytest.fixture(scope="module")
def client():
    lsp = Client()
    result = lsp.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    lsp.capabilities = result["capabilities"]
    lsp.notify("initialized", {})
    lsp.notify("textDocument/didOpen", {"textDocument": {"uri": URI, "languageId": "specdsl", "version": 1,
                                                         "text": LANES}})
    assert lsp.notification("textDocument/publishDiagnostics")["diagnostics"] == []
    yield lsp
    assert lsp.request("shutdown", None) is None
    lsp.notify("exit", {})
    assert lsp.process.wait(timeout=TIMEOUT) == 0
    lsp.process.stdout.close()
    lsp.process.stderr.close()
    lsp.process.stdin.close()


def position(text: str, needle: str, nth: int = 0, shift: int = 0) -> dict:
    """The LSP position of the ``nth`` occurrence of ``needle`` (plus ``shift`` characters)."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    offset += shift
    line = text.count("\n", 0, offset)
    return {"line": line, "character": offset - (text.rfind("\n", 0, offset) + 1)}


def change(client: Client, text: str, version: int) -> list[dict]:
    client.notify("textDocument/didChange", {"textDocument": {"uri": URI, "version": version},
                                             "contentChanges": [{"text": text}]})
    return client.notification("textDocument/publishDiagnostics")["diagnostics"]


def test_initialize_announces_every_feature(client: Client) -> None:
    capabilities = client.capabilities
    for feature in ("hoverProvider", "definitionProvider", "documentSymbolProvider", "documentFormattingProvider"):
        assert capabilities[feature], feature
    assert "." in capabilities["completionProvider"]["triggerCharacters"]


def test_diagnostics_carry_the_compilers_code_and_exact_range(client: Client) -> None:
    broken = LANES.replace("where o.color == orange", "where o.color == purple")
    diagnostics = change(client, broken, 2)
    expected = compile_source(Source("lanes.spec", broken)).diagnostics
    assert [d["code"] for d in diagnostics] == [d.code for d in expected]
    start = position(broken, "purple")
    assert diagnostics[0]["range"] == {"start": start, "end": {**start, "character": start["character"] + 6}}
    assert diagnostics[0]["message"] == "'purple' is not a value of enum LaneColor\nhelp: values: white, yellow, orange"
    assert diagnostics[0]["severity"] == 1
    assert change(client, LANES, 3) == []  # fixed on the next change: the diagnostics are cleared


def test_a_syntax_error_has_its_range_too(client: Client) -> None:
    broken = LANES.replace("parked: bool", "parked bool")
    diagnostics = change(client, broken, 4)
    assert diagnostics
    assert diagnostics[0]["range"]["start"]["line"] == position(broken, "parked bool")["line"]
    assert change(client, LANES, 5) == []


def hover(client: Client, needle: str, nth: int = 0, shift: int = 0) -> str | None:
    result = client.request("textDocument/hover", {"textDocument": {"uri": URI},
                                                   "position": position(LANES, needle, nth, shift)})
    return None if result is None else result["contents"]["value"]


def test_hover_documents_enum_values_classes_attributes_rules_and_builtins(client: Client) -> None:
    assert "Temporary construction marking" in hover(client, "orange", 2)  # `o.color == orange` in the rule
    assert "Trace each painted marking" in hover(client, "lane_line", 1)  # `for o in lane_line`
    assert "Set when a higher-precedence marking" in hover(client, "w.overridden", shift=2)
    assert "smallest distance between the two geometries" in hover(client, "distance(")
    assert "length along the line" in hover(client, "length >= 10")  # a property inside its class
    assert "Where an orange line runs" in hover(client, "orange_overrides_white")
    assert "enum { white, yellow, orange }" in hover(client, "color: LaneColor", shift=8)
    assert hover(client, '"""', 0, 4) is None  # prose in a docstring names nothing
    assert "blinker: enum { off, left, right, hazard }" in hover(client, "blinker != off")  # share(vehicle where ..)
    assert "weather: enum { dry, wet, snow }" in hover(client, "weather == wet")  # share(image where ...)


def definition(client: Client, needle: str, nth: int = 0, shift: int = 0) -> dict | None:
    return client.request("textDocument/definition", {"textDocument": {"uri": URI},
                                                      "position": position(LANES, needle, nth, shift)})


def test_definition_goes_to_classes_enums_attributes_and_variables(client: Client) -> None:
    assert definition(client, "lane_line", 1)["range"]["start"] == position(LANES, "lane_line: polyline")
    assert definition(client, "LaneColor", 1)["range"]["start"] == position(LANES, "LaneColor {")
    assert definition(client, "w.overridden", shift=2)["range"]["start"] == position(LANES, "overridden: bool")
    assert definition(client, "require w.overridden", shift=8)["range"]["start"] == position(LANES, "w in lane_line")
    assert definition(client, "distance(") is None  # a built-in has no place in the file


def completion(client: Client, text: str, version: int, needle: str) -> list[str]:
    change(client, text, version)
    offset = text.index(needle) + len(needle)
    line = text.count("\n", 0, offset)
    result = client.request("textDocument/completion", {"textDocument": {"uri": URI}, "position": {
        "line": line, "character": offset - (text.rfind("\n", 0, offset) + 1)}})
    return [item["label"] for item in result["items"]]


def test_completion_in_its_three_contexts_while_the_line_is_half_typed(client: Client) -> None:
    typing = LANES.replace("  require w.overridden\n", "  for v in \n  require w.overridden\n")
    assert completion(client, typing, 6, "for v in ") == ["lane_line", "vehicle"]
    members = completion(client, LANES.replace("require w.overridden", "require w."), 7, "require w.")
    assert members[:4] == ["color", "style", "occluded", "overridden"]
    assert {"length", "points", "start", "inside_image"} <= set(members)
    assert "area" not in members  # a polyline has no area
    values = completion(client, LANES.replace("w.color == white and", "w.color == "), 8, "w.color == ")
    assert values == ["white", "yellow", "orange"]
    inline = completion(client, LANES.replace("a.style == dashed\n", "a.style != \n"), 9, "a.style != ")
    assert inline == ["solid", "dashed", "double"]
    bare = completion(client, LANES.replace("blinker != off)", "blinker != "), 10, "blinker != ")
    assert bare == ["off", "left", "right", "hazard"]
    change(client, LANES, 10)


def test_document_symbols_outline_the_spec(client: Client) -> None:
    symbols = client.request("textDocument/documentSymbol", {"textDocument": {"uri": URI}})
    names = [s["name"] for s in symbols]
    assert names == ["image", "LaneColor", "lane_line", "vehicle", "orange_overrides_white", "dashed_is_one_line",
                     "few_lines", "blinkers_on", "wet_images", "Orange over white", "White line left as it was"]
    lane_line = symbols[names.index("lane_line")]
    assert [c["name"] for c in lane_line["children"]] == ["color", "style", "occluded", "overridden"]
    assert lane_line["selectionRange"]["start"] == position(LANES, "lane_line: polyline")
    rule = symbols[names.index("orange_overrides_white")]
    assert [c["name"] for c in rule["children"]] == ["o", "w"]


def test_formatting_equals_specc_fmt(client: Client) -> None:
    messy = LANES.replace("  parked: bool\n", "  parked:     bool\n").replace("  blinker:", "blinker:")
    change(client, messy, 11)
    edits = client.request("textDocument/formatting", {"textDocument": {"uri": URI},
                                                       "options": {"tabSize": 2, "insertSpaces": True}})
    assert len(edits) == 1
    assert edits[0]["newText"] == format_source(messy) == format_source(LANES)
    assert edits[0]["range"]["start"] == {"line": 0, "character": 0}
    change(client, format_source(LANES), 12)
    assert client.request("textDocument/formatting", {"textDocument": {"uri": URI},
                                                      "options": {"tabSize": 2, "insertSpaces": True}}) == []
    change(client, LANES, 13)


def test_positions_count_utf16_units(client: Client) -> None:
    """An emoji before a mistake on its line is two UTF-16 units: the range starts where the editor shows it."""
    broken = LANES.replace('example "Orange over white" valid', 'example "🌍 Orange" invalid no_such_check')
    diagnostics = change(client, broken, 14)
    line = broken.count("\n", 0, broken.index("no_such_check"))
    expected = {"line": line, "character": len('example "🌍 Orange" invalid '.encode("utf-16-le")) // 2}
    assert expected["character"] == len('example "🌍 Orange" invalid ') + 1
    assert [d["range"]["start"] for d in diagnostics] == [expected]
    change(client, LANES, 15)


def test_every_spec_in_the_repository_opens_without_diagnostics(client: Client) -> None:
    for number, path in enumerate(sorted(Path(SPECS).rglob("*.spec")), start=100):
        uri = path.as_uri()
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "specdsl",
                                                                "version": number, "text": path.read_text()}})
        assert client.notification("textDocument/publishDiagnostics") == {"uri": uri, "version": number,
                                                                          "diagnostics": []}


def _hover_in(client: Client, text: str, version: int, needle: str, shift: int = 0) -> str | None:
    change(client, text, version)
    result = client.request("textDocument/hover", {"textDocument": {"uri": URI},
                                                   "position": position(text, needle, 0, shift)})
    return None if result is None else result["contents"]["value"]


def test_fix_and_match_lines_have_hover_and_completion(client: Client) -> None:
    assert "only with `--unsafe-fixes`" in hover(client, "fix unsafe delete", shift=5)
    assert "clip the geometry to the image" in hover(client, "fix clip", shift=5)
    assert "join two polylines" in hover(client, "fix join", shift=5)
    assert "Set when a higher-precedence marking" in hover(client, "fix set w.overridden", shift=11)
    matched = LANES.replace("  confidence: float 0..1 ?\n", "  confidence: float 0..1 ?\n  match iou >= 0.7\n")
    assert "how objects of this class are paired" in _hover_in(client, matched, 30, "match iou")
    assert "intersection over union" in _hover_in(client, matched, 31, "match iou", shift=7)
    typing = LANES.replace("  confidence: float 0..1 ?\n", "  confidence: float 0..1 ?\n  match \n")
    assert completion(client, typing, 32, "  match ") == ["iou", "distance"]  # what measures a box
    lane = LANES.replace("  fix delete\n", "  match \n")
    assert completion(client, lane, 33, "  match ") == ["distance", "hausdorff", "frechet"]
    fixing = LANES.replace("  fix clip\n", "  fix \n")
    assert completion(client, fixing, 34, "  fix ") == ["set", "delete", "clip", "join", "unsafe"]
    assert completion(client, LANES.replace("fix unsafe delete", "fix unsafe "), 35, "fix unsafe ") == [
        "set", "delete", "clip", "join"]
    change(client, LANES, 36)
