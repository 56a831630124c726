"""Reading exports from the command line: one set of reader options and one error path for every command."""

from __future__ import annotations

from pathlib import Path

from specdsl.cli.common import UsageError


def add_reader_options(parser, what: str = "the exports") -> None:
    parser.add_argument("--input-format", metavar="NAME", help=f"format of {what} (default: detected from content)")
    parser.add_argument("--mapping", metavar="FILE", help=f"mapping of {what}' names to the spec's")
    parser.add_argument("--class-file", metavar="FILE", help="TuSimple: per-lane class ids, one line per frame")
    parser.add_argument("--image-size", metavar="WxH", help="image size for formats that do not record it")


def reader_options(args, spec=None):
    """``spec``: the compiled spec the exports were labeled for (types Label Studio and CVAT text values)."""
    from specdsl.data.readers import ReadOptions
    from specdsl.data.readers.declared import declared_from_spec

    return ReadOptions(mapping=_mapping(args.mapping) if args.mapping else None,
                       class_file=Path(args.class_file) if args.class_file else None,
                       image_size=_size(args.image_size) if args.image_size else None,
                       declared=declared_from_spec(spec) if spec is not None else None)


def load_or_exit(path: str, args, options=None, progress=None, spec=None):
    """The dataset of one export; an unreadable one is a usage error naming the file (and line, column)."""
    from specdsl.data import load_export
    from specdsl.data.readers import ReaderError

    if not Path(path).exists():
        raise UsageError(f"cannot read export {path}: no such file")
    try:
        return load_export(path, args.input_format, options or reader_options(args, spec), progress=progress)
    except ReaderError as exc:
        raise UsageError(f"{exc.location()}: {exc.message}") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: {exc}") from None


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise UsageError(f"--image-size takes WIDTHxHEIGHT, e.g. 1280x720, not {text!r}") from None
    return width, height


def _mapping(path: str):
    from specdsl.data.mapping import load_mapping

    try:
        return load_mapping(path)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read mapping {path}: {exc}") from None
