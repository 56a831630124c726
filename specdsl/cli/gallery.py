"""The options of ``--format html`` (check, diff --labels) and the figure data the CLI hands the gallery."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

from specdsl.cli.common import UsageError

DEFAULT_MAX_FIGURES = 500


def add_gallery_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("HTML gallery (--format html)")
    group.add_argument("--images", metavar="DIR|URL",
                       help="draw figures over the real images: a folder (linked relative to the output file) "
                       "or a URL prefix; an image's path is its id below it")
    group.add_argument("--embed-images", action="store_true",
                       help="inline downscaled thumbnails of --images DIR (a portable file; needs Pillow)")
    group.add_argument("--max-figures", type=_count, default=DEFAULT_MAX_FIGURES, metavar="N",
                       help="draw at most N findings, sampled evenly per group (default: %(default)s)")


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def image_source(args: argparse.Namespace):
    """``--images`` / ``--embed-images`` checked and resolved; None without ``--images``."""
    from specdsl.report.gallery.backgrounds import image_source as resolve
    from specdsl.report.gallery.backgrounds import pillow_available

    if args.images is None:
        if args.embed_images:
            raise UsageError("--embed-images needs --images DIR (the folder of the images to inline)")
        return None
    source = resolve(args.images, args.embed_images, _page_dir(args.output_file))
    if args.embed_images and source.is_url:
        raise UsageError("--embed-images reads the images from a folder, not from a URL")
    if not source.is_url and not os.path.isdir(args.images):
        raise UsageError(f"--images {args.images}: no such folder")
    if args.embed_images and not pillow_available():
        raise UsageError("--embed-images needs Pillow: pip install 'specdsl[images]'")
    return source


def _page_dir(output_file: str | None) -> str:
    """The page's folder: local image links are relative to it (the current folder when writing to stdout)."""
    return os.path.dirname(os.path.abspath(output_file)) if output_file else os.getcwd()


def gallery_datasets(args: argparse.Namespace) -> list | None:
    """For ``--format html``: the options checked up front (before a long run) and a list to keep the
    datasets in until the sample is known; None for every other format (datasets are dropped at once).

    The sample is taken over the findings of all exports, so with several exports each dataset is kept
    until the last one is checked; only the sampled images' objects outlive the run.
    """
    if args.format != "html":
        if args.images is not None or args.embed_images:
            raise UsageError("--images and --embed-images draw figures: they need --format html")
        return None
    image_source(args)
    return []


def check_context(ctx, report, datasets: Sequence, spec, args: argparse.Namespace):
    """``ctx`` with the objects of the sampled findings' images, read from ``datasets`` (then free to go)."""
    from dataclasses import fields

    from specdsl.palette import class_colors
    from specdsl.report.gallery import GalleryContext, collect_figures, wanted_images

    wanted = wanted_images(report, args.max_figures)
    return GalleryContext(**{f.name: getattr(ctx, f.name) for f in fields(ctx)},
                          figures=collect_figures(datasets, wanted, {c.name: c for c in spec.classes}),
                          max_figures=args.max_figures,
                          images=image_source(args), class_colors=class_colors(spec))


def diff_html(old, new, changes, impact, datasets: list, args: argparse.Namespace) -> str:
    """``diff --format html``: the impact items' images collected from ``datasets``, then the page."""
    from specdsl.palette import class_colors
    from specdsl.report.gallery.collect import collect_by_image
    from specdsl.report.gallery.diffs import DiffFigures, render_diff_html, wanted_images

    wanted = wanted_images(impact, args.max_figures) if impact is not None else set()
    # A class the new version removed is still drawn as the old version declared it.
    classes = {c.name: c for spec in (old, new) for c in spec.classes}
    figures = DiffFigures(collect_by_image(datasets, wanted, classes), args.max_figures, image_source(args),
                          {**class_colors(old), **class_colors(new)})
    datasets.clear()  # only the sampled images' objects are needed from here on
    return render_diff_html(old, new, changes, impact, figures)


def sets_context(ctx, report, sets: Sequence, spec, args: argparse.Namespace, by_labeler: bool):
    """``ctx`` for the gallery of findings over annotation sets (``specc agree``, ``specc suspect``).

    With ``by_labeler`` (agree) a figure draws the image's objects of every set, each named ``LABELER:ID`` as
    the findings name them, so a disagreement shows both labelers' objects with the ones in question outlined.
    """
    from dataclasses import fields, replace

    from specdsl.palette import class_colors
    from specdsl.report.gallery import GalleryContext, collect_figures, wanted_images
    from specdsl.report.gallery.collect import collect_by_image

    wanted = wanted_images(report, args.max_figures)
    classes = {c.name: c for c in spec.classes}
    if by_labeler:
        figures = {}
        for source, image in wanted:
            drawn = [(labels.name, collect_by_image([labels.dataset], {image}, classes).get(image))
                     for labels in sets]
            drawn = [(name, found) for name, found in drawn if found is not None]
            if drawn:
                first = drawn[0][1]
                objects = tuple(replace(o, object_id=f"{name}:{o.object_id}") for name, found in drawn
                                for o in found.objects)
                figures[(source, image)] = replace(first, source=source, objects=objects)
    else:
        figures = collect_figures([labels.dataset for labels in sets], wanted, classes)
    return GalleryContext(**{f.name: getattr(ctx, f.name) for f in fields(ctx)}, figures=figures,
                          max_figures=args.max_figures, images=image_source(args), class_colors=class_colors(spec))
