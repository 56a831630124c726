"""``specc select SPEC --predictions P.jsonl --budget K``: what to label next (ENGINE.md)."""

from __future__ import annotations

import re

from specdsl.cli.common import EXIT_OK, UsageError, compile_or_exit, err_console, write_out
from specdsl.cli.exports import add_reader_options, load_or_exit
from specdsl.cli.scale import positive_count

FORMATS = ("text", "json", "label-studio")


def register(sub) -> None:
    parser = sub.add_parser("select", help="the unlabeled images most worth labeling next")
    parser.add_argument("spec", help="spec file or PATH@GITREV")
    add_prediction_options(parser)
    parser.add_argument("--budget", type=int, required=True, metavar="K", help="how many images to pick")
    parser.add_argument("--strategy", choices=("entropy", "margin", "least-confidence"), default="entropy",
                        help="uncertainty score (default: entropy)")
    parser.add_argument("--labels", nargs="+", default=[], metavar="EXPORT",
                        help="labeled exports: their images are skipped, their quota shares are filled first")
    parser.add_argument("--per-group", type=int, metavar="N", help="at most N picks per group (with --group-by)")
    parser.add_argument("--group-by", metavar="REGEX",
                        help="the group of an image: the part of its id the regex matches (its first group if it "
                             "has one), e.g. '^[^/]+' for the drive")
    parser.add_argument("--queue", metavar="Q", help="add the picks to this relabel queue as `label` items")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="text, json, or a Label Studio task list (default: text)")
    parser.add_argument("--output-file", "-o", metavar="FILE", help="write the output to FILE")
    add_reader_options(parser, "the labeled exports")
    parser.set_defaults(run=run)


def add_prediction_options(parser) -> None:
    parser.add_argument("--predictions", required=True, metavar="P.jsonl",
                        help="the model's predictions, JSON Lines, one image a line (ENGINE.md)")
    parser.add_argument("--renormalize", action="store_true",
                        help="accept scores that do not add up to 1 and divide them by their sum")
    parser.add_argument("--jobs", "-j", type=positive_count, metavar="N",
                        help="worker processes reading a large predictions file (default: the usable cores)")


def start_predictions_or_exit(path: str, spec, renormalize: bool, jobs: int | None = None):
    """Start reading the predictions (in worker processes when the file is large): the caller reads its exports
    meanwhile, then takes them with :func:`predictions_or_exit`."""
    from specdsl.engine.predictions import PredictionError, start_reading

    try:
        return start_reading(path, spec, renormalize, jobs)
    except PredictionError as exc:
        raise UsageError(str(exc)) from None


def predictions_or_exit(pending):
    from specdsl.engine.predictions import PredictionError

    try:
        return pending.result()
    except PredictionError as exc:
        raise UsageError(str(exc)) from None


def exports_beside_predictions(pending, load):
    """``load()`` (the exports) while the predictions are read; a problem of the predictions is reported
    before one of the exports, as when they were read first."""
    try:
        loaded = load()
    except BaseException:
        predictions_or_exit(pending)
        raise
    return predictions_or_exit(pending), loaded


def run(args) -> int:
    from specdsl.engine.labels import LabelSet
    from specdsl.engine.qualify import QualifyError
    from specdsl.engine.select import select

    grouping = _grouping(args)
    if args.budget < 0:
        raise UsageError("--budget must be 0 or more")
    compiled = compile_or_exit(args.spec)
    spec = compiled.spec
    pending = start_predictions_or_exit(args.predictions, spec, args.renormalize, args.jobs)
    predictions, labels = exports_beside_predictions(
        pending, lambda: [LabelSet.of(path, spec, load_or_exit(path, args), path) for path in args.labels])
    for labeled in labels:
        if labeled.spec_name is not None and labeled.spec_name != spec.name:
            raise UsageError(f"{labeled.dataset.source} is an export of spec '{labeled.spec_name}', not '{spec.name}'")
    try:
        selection = select(spec, predictions, args.budget, args.strategy, labels, grouping)
    except QualifyError as exc:
        raise UsageError(str(exc)) from None
    if args.queue:
        added = add_to_queue(args.queue, selection, spec)
        err_console().print(f"{added} label item(s) added to {args.queue}", markup=False)
    text = render(selection, args.format)
    if args.output_file:
        from specdsl.cli.common import write_output_file

        write_output_file(args.output_file, text)
    else:
        write_out(text)
    return EXIT_OK


def _grouping(args):
    from specdsl.engine.select import Grouping

    if (args.per_group is None) != (args.group_by is None):
        raise UsageError("--per-group and --group-by go together")
    if args.per_group is None:
        return None
    if args.per_group < 1:
        raise UsageError("--per-group must be 1 or more")
    try:
        return Grouping(args.per_group, re.compile(args.group_by))
    except re.error as exc:
        raise UsageError(f"--group-by {args.group_by!r} is not a regular expression: {exc}") from None


def render(selection, fmt: str) -> str:
    import orjson

    if fmt == "json":
        return orjson.dumps(selection.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n"
    if fmt == "label-studio":
        return orjson.dumps(label_studio_tasks(selection), option=orjson.OPT_INDENT_2).decode() + "\n"
    return _text(selection)


def label_studio_tasks(selection) -> list[dict]:
    """A task list Label Studio imports: the image as ``data.image``, why it was picked in ``data`` (for ``$``
    variables of a labeling config) and ``meta``."""
    return [{"data": {"image": pick.image, "reason": pick.reason, "score": pick.score},
             "meta": {"specdsl_select": rank + 1, "strategy": selection.strategy, "reason": pick.reason,
                      "score": pick.score}}
            for rank, pick in enumerate(selection.picks)]


def _text(selection) -> str:
    summary = selection.summary()
    lines = [f"{summary['selected']} of {summary['candidates']} unlabeled image(s) selected by {selection.strategy} "
             f"(budget {selection.budget}; {summary['labeled_skipped']} already labeled)"]
    for quota in selection.quotas:
        if quota.need:
            lines.append(f"  quota {quota.name}: needs {quota.need} more, {quota.picked} image(s) picked, "
                         f"{quota.expected:.2f} expected")
    width = max((len(p.image) for p in selection.picks), default=5)
    lines.append(f"{'image':<{width}}  {'score':>6}  reason")
    lines += [f"{p.image:<{width}}  {p.score:>6.3f}  {p.reason}" for p in selection.picks]
    return "\n".join(lines) + "\n"


def add_to_queue(path: str, selection, spec) -> int:
    """The picks as `label` items (score: the image's uncertainty; the reason: why it was picked)."""
    from specdsl.queue import open_queue
    from specdsl.queue.item import NewItem
    from specdsl.queue.schema import QueueError

    items = [NewItem(image=p.image, action="label", reasons=(p.reason,), severity="info", spec=spec.name,
                     score=p.score, details={"strategy": selection.strategy, **p.to_dict()})
             for p in selection.picks]
    try:
        with open_queue(path) as queue:
            return queue.add_items(items)
    except QueueError as exc:
        raise UsageError(str(exc)) from None
