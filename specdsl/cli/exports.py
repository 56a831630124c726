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


def expand_or_exit(argument: str, fmt: str | None) -> list[str]:
    """The export files one argument stands for (a file, a folder of shards, a glob pattern, a URL);
    one that names nothing, or a URL that cannot be read here, is a usage error."""
    from specdsl.data.inputs import NoExport, expand_input
    from specdsl.data.remote import UrlUnavailable

    try:
        return expand_input(argument, fmt)
    except (NoExport, UrlUnavailable) as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot read export {argument}: {exc.strerror or exc}") from None


def load_or_exit(path: str, args, options=None, progress=None, spec=None):
    """The dataset of one export argument; an unreadable one is a usage error naming the file (and line,
    column). An argument standing for several shards is one dataset, in sorted path order, whose images
    keep their shard's source and pointers and whose own source is the argument as given."""
    from specdsl.data.readers.native import gc_paused

    options = options or reader_options(args, spec)
    shards = expand_or_exit(path, args.input_format)
    with gc_paused():  # the shards read so far all stay alive: collecting them between shards is wasted work
        datasets = [_load_shard(shard, args.input_format, options, progress) for shard in shards]
    if shards == [path]:  # one file named as such: read exactly as before shards existed
        return datasets[0]
    return one_dataset(datasets, path, shards)


def one_dataset(datasets: list, source: str, shards: list[str]):
    """Shards' datasets as one, named ``source``; the spec they declare, which must be one spec."""
    import dataclasses

    from specdsl.engine.labels import declared_spec

    declared = {}
    for shard, dataset in zip(shards, datasets):
        named = declared_spec(shard, dataset)
        if named is not None:
            declared.setdefault(named, shard)
    if len(declared) > 1:
        (first, first_shard), (other, other_shard) = list(declared.items())[:2]
        raise UsageError(f"{source}: the shards are exports of different specs: {first_shard} of '{first}', "
                         f"{other_shard} of '{other}'")
    merged = _merge_all(datasets)
    return dataclasses.replace(merged, source=source, spec_name=next(iter(declared), None))


def _merge_all(datasets: list):
    """Merged pairwise in a balanced tree: each image is copied about log2(shards) times, not once per shard."""
    from specdsl.data.merge import merge_datasets

    while len(datasets) > 1:
        pairs = [merge_datasets(a, b) for a, b in zip(datasets[::2], datasets[1::2])]
        datasets = pairs + ([datasets[-1]] if len(datasets) % 2 else [])
    return datasets[0]


def _load_shard(path: str, fmt: str | None, options, progress):
    from specdsl.data import load_export
    from specdsl.data.build import build_dataset
    from specdsl.data.readers import ReaderError
    from specdsl.data.remote import UrlUnavailable, is_url, read_items

    try:
        if is_url(path):  # named as given: a URL is no Path
            return build_dataset(read_items(path, fmt, options), path, progress=progress)
        return load_export(path, fmt, options, progress=progress)
    except ReaderError as exc:
        raise UsageError(f"{exc.location()}: {exc.message}") from None
    except UrlUnavailable as exc:
        raise UsageError(str(exc)) from None
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
