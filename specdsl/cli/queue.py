"""`specc queue`: build, list, claim, release, done, export and stats over the relabel queue (docs/queue.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from specdsl.cli.common import EXIT_OK, UsageError, err_console, out_console, write_out

DEFAULT_QUEUE = "relabel.db"
STATUSES = ("pending", "claimed", "done")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("queue", help="the relabel queue: build, list, claim, release, done, export, "
                                   "stats",
                                   description="The relabel queue, a SQLite file of work for labelers.")
    actions = parser.add_subparsers(dest="queue_command", metavar="ACTION")
    actions.required = True
    for add in (_add_build, _add_list, _add_claim, _add_release, _add_done, _add_export, _add_stats):
        add(actions)


def _action(actions: argparse._SubParsersAction, name: str, help_text: str,
            run: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
    parser = actions.add_parser(name, help=help_text, description=help_text)
    parser.add_argument("--queue", default=DEFAULT_QUEUE, metavar="FILE",
                        help="the queue file (default: %(default)s)")
    parser.set_defaults(run=run)
    return parser


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")


def _add_build(actions: argparse._SubParsersAction) -> None:
    parser = _action(actions, "build", "add items from `specc diff --format json` or `specc check "
                     "--format json/jsonl` output; building the same input twice adds nothing", run_build)
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="a file, or - for standard input")


def _add_list(actions: argparse._SubParsersAction) -> None:
    parser = _action(actions, "list", "list items by id", run_list)
    parser.add_argument("--status", choices=STATUSES, help="only items with this status")
    _add_format(parser)


def _add_claim(actions: argparse._SubParsersAction) -> None:
    parser = _action(actions, "claim", "atomically hand out the K highest-priority pending items", run_claim)
    parser.add_argument("--labeler", required=True, metavar="NAME", help="who works on the items")
    parser.add_argument("--n", type=_positive_int, default=1, metavar="K", help="how many items (default: 1)")
    parser.add_argument("--lease", type=_non_negative_float, default=3600.0, metavar="SECONDS",
                        help="return the items to pending if not done within this time (default: 3600)")
    _add_format(parser)


def _add_release(actions: argparse._SubParsersAction) -> None:
    parser = _action(actions, "release", "give claimed items back: pending again, no labeler", run_release)
    parser.add_argument("ids", nargs="+", type=int, metavar="ID", help="item ids")
    parser.add_argument("--labeler", metavar="NAME",
                        help="refuse (and change nothing) if an item is claimed by someone else")


def _add_done(actions: argparse._SubParsersAction) -> None:
    parser = _action(actions, "done", "mark items done", run_done)
    parser.add_argument("ids", nargs="+", type=int, metavar="ID", help="item ids")


def _add_export(actions: argparse._SubParsersAction) -> None:
    from specdsl.cli.exports import add_reader_options
    from specdsl.queue.exporters import EXPORTERS

    parser = _action(actions, "export", "write items for a labeling tool (default: the pending ones)", run_export)
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="output file, - for stdout")
    parser.add_argument("--format", choices=tuple(EXPORTERS), default="jsonl", help="(default: %(default)s)")
    parser.add_argument("--status", choices=(*STATUSES, "all"), default="pending",
                        help="items with this status (default: %(default)s)")
    parser.add_argument("--labels", nargs="+", metavar="EXPORT",
                        help="the export holding the images' labels: their sizes (cvat, label-studio) and "
                             "objects (as label-studio predictions)")
    parser.add_argument("--spec", metavar="SPEC", help="the spec, for the geometry of each class "
                        "(polygon or polyline) in label-studio predictions")
    parser.add_argument("--image-url-prefix", metavar="URL",
                        help="label-studio: data.image is URL + the image path (percent-encoded)")
    add_reader_options(parser, "the --labels exports")


def _add_stats(actions: argparse._SubParsersAction) -> None:
    _add_format(_action(actions, "stats", "counts by status, action and reason", run_stats))


# --- running -----------------------------------------------------------------------------------------------

@contextmanager
def _opened(args: argparse.Namespace, create: bool = False, readonly: bool = False) -> Iterator[Any]:
    """The queue of ``--queue``, with the queue's refusals turned into usage errors (exit 2).
    ``readonly`` for commands that only read: they work on a queue this user cannot write."""
    from specdsl.queue import QueueError, open_queue

    try:
        queue = open_queue(args.queue, create=create, readonly=readonly)
    except QueueError as exc:
        raise UsageError(str(exc)) from exc
    try:
        yield queue
    except QueueError as exc:
        raise UsageError(str(exc)) from exc
    finally:
        queue.close()


def run_build(args: argparse.Namespace) -> int:
    from specdsl.queue import InputError, items_from_documents, parse_text

    items = []
    for name in args.inputs:
        try:
            items.extend(items_from_documents(parse_text(_read_input(name), name)))
        except InputError as exc:
            raise UsageError(f"{name}: {exc}") from exc
    with _opened(args, create=True) as queue:
        counts = queue.upsert(items)
    err_console().print(f"{args.queue}: {counts.added} added, {counts.merged} merged, "
                        f"{counts.unchanged} already queued")
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    with _opened(args, readonly=True) as queue:
        items = queue.items(args.status)
    write_out(_render_items(items, args.format, title=f"{args.queue}: {len(items)} item(s)"))
    return EXIT_OK


def run_claim(args: argparse.Namespace) -> int:
    """The items are rendered before the claim commits (a rendering error claims nothing), and released
    again if writing them fails: no item stays claimed by a labeler who never saw it."""
    rendered: list[str] = []

    def render(items: list) -> None:
        rendered.append(_render_items(items, args.format, title=f"claimed by {args.labeler}"))

    with _opened(args) as queue:
        items = queue.claim(args.labeler, args.n, lease_seconds=args.lease, deliver=render)
        try:
            if not items:
                err_console().print(f"{args.queue}: no pending items")
            write_out(rendered[0])
        except BaseException:  # a closed pipe, a full disk, Ctrl-C: the labeler did not get the items
            queue.release_undelivered(items)
            raise
    return EXIT_OK


def run_release(args: argparse.Namespace) -> int:
    with _opened(args) as queue:
        changed = queue.release(args.ids, labeler=args.labeler)
    err_console().print(f"{args.queue}: {changed} item(s) released")
    return EXIT_OK


def run_done(args: argparse.Namespace) -> int:
    with _opened(args) as queue:
        changed = queue.done(args.ids)
    err_console().print(f"{args.queue}: {changed} item(s) marked done")
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    from specdsl.queue.exporters import EXPORTERS

    with _opened(args, readonly=True) as queue:
        items = queue.items(None if args.status == "all" else args.status)
    options = _export_options(args, {item.image for item in items})
    exporter = EXPORTERS[args.format]
    if args.output == "-":
        notes = exporter(items, sys.stdout.buffer, options)
        sys.stdout.buffer.flush()
    else:
        notes = _write_atomically(Path(args.output), lambda stream: exporter(items, stream, options))
        err_console().print(f"{args.output}: {len(items)} item(s)")
    for note in notes:
        err_console().print(f"note: {note}")
    return EXIT_OK


def _export_options(args: argparse.Namespace, images: set[str]) -> Any:
    from specdsl.queue.labels import ExportOptions

    labels = _read_labels(args, images) if args.labels else {}
    geometry, controls = {}, {}
    if args.spec:
        from specdsl.cli.common import compile_or_exit
        from specdsl.configs.label_studio import attribute_controls

        spec = compile_or_exit(args.spec).spec
        geometry = {cls.name: cls.geometry for cls in spec.classes}
        controls = attribute_controls(spec)
    return ExportOptions(labels=labels, geometry=geometry, image_url_prefix=args.image_url_prefix,
                         attribute_controls=controls)


def _read_labels(args: argparse.Namespace, images: set[str]) -> dict[str, Any]:
    from specdsl.cli.exports import reader_options
    from specdsl.data.readers import ReaderError
    from specdsl.queue.labels import read_labels

    for path in args.labels:
        if not Path(path).exists():
            raise UsageError(f"cannot read export {path}: no such file")
    try:
        return read_labels(args.labels, args.input_format, reader_options(args), images)
    except ReaderError as exc:
        raise UsageError(f"{exc.location()}: {exc.message}") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"--labels: {exc}") from None


def _write_atomically(path: Path, write: Callable[[Any], list[str]]) -> list[str]:
    """Write the whole export, then put it in place at once: a labeling tool may pick the file up at any
    moment, so it never sees half an export under its name."""
    import io

    from specdsl.atomic import write_atomically

    stream = io.BytesIO()
    notes = write(stream)
    try:
        write_atomically(path, stream.getvalue())
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return notes


def run_stats(args: argparse.Namespace) -> int:
    with _opened(args, readonly=True) as queue:
        stats = queue.stats()
    if args.format == "json":
        write_out(orjson.dumps(stats).decode())
    else:
        _print_stats(stats, args.queue)
    return EXIT_OK


# --- rendering ---------------------------------------------------------------------------------------------

def _render_items(items: Sequence[Any], fmt: str, title: str) -> str:
    """The items as text to print: JSON, or a table (rendered for stdout, as stdout's console would)."""
    if fmt == "json":
        return orjson.dumps([item.to_dict() for item in items]).decode()
    if not items:
        return ""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in ("id", "priority", "status", "action", "image", "objects", "reasons", "labeler"):
        # fold, not truncate: an image path cut to "seq12/0…" is useless to a labeler
        table.add_column(column, justify="right" if column in ("id", "priority") else "left", overflow="fold")
    for item in items:
        table.add_row(str(item.id), f"{item.priority:.2f}", item.status, item.action, item.image,
                      " ".join(item.objects), " ".join(item.reasons), item.labeler or "")
    console = out_console()  # prints strings as text, so image ids like shots/[/x].jpg are not markup
    with console.capture() as captured:
        console.print(table)
    return captured.get()


def _print_stats(stats: dict[str, Any], name: str) -> None:
    from rich.table import Table

    console = out_console()
    console.print(f"{name}: {stats['total']} item(s)")
    for group in ("status", "action", "reason"):
        table = Table(group, "items", title=f"by {group}", title_justify="left")
        for key, count in stats[group].items():
            if count or group == "status":
                table.add_row(key, str(count))
        console.print(table)


def _read_input(name: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from exc


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value
