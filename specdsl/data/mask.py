"""Binary masks in the native shape: COCO run-length encoding over the full image.

A native mask is ``{"size": [h, w], "counts": [...]}`` (uncompressed RLE) or
``{"size": [h, w], "counts": "<string>"}`` (COCO's compressed string). Runs alternate
background/foreground starting with background, over the pixels in column-major
(Fortran) order, exactly as pycocotools writes them. Everything here works on run
boundaries with numpy; no function walks pixels in Python.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# COCO's string form: each count is split into 5-bit groups, low group first, each
# group stored as chr(48 + group) with bit 0x20 meaning "more groups follow".
_CHAR_OFFSET = 48
_MORE = 0x20
_SIGN = 0x10
_GROUP = 0x1F


def decode_compressed_counts(s: str) -> np.ndarray:
    """The run lengths of a COCO compressed RLE string (pycocotools ``rleFrString``)."""
    codes = np.frombuffer(s.encode("ascii"), dtype=np.uint8).astype(np.int64) - _CHAR_OFFSET
    if codes.size == 0:
        return np.zeros(0, dtype=np.int64)
    if codes.min() < 0 or codes.max() > 63 or codes[-1] & _MORE:
        raise ValueError("not a COCO compressed RLE string")
    ends = (codes & _MORE) == 0
    starts = np.concatenate(([0], np.flatnonzero(ends)[:-1] + 1))
    group_index = np.arange(codes.size) - np.repeat(starts, np.diff(np.append(starts, codes.size)))
    values = np.add.reduceat((codes & _GROUP) << (5 * group_index), starts)
    last = codes[ends]
    n_groups = group_index[ends] + 1
    negative = (last & _SIGN) != 0
    values[negative] -= np.left_shift(1, 5 * n_groups[negative])
    return _undo_delta(values)


def _undo_delta(deltas: np.ndarray) -> np.ndarray:
    # From index 3 on, each count is stored as the difference to the count two before.
    counts = deltas.copy()
    counts[2::2] = np.cumsum(deltas[2::2])
    counts[1::2] = np.cumsum(deltas[1::2])
    return counts


def encode_compressed_counts(counts: Sequence[int] | np.ndarray) -> str:
    """The COCO compressed string of run lengths (pycocotools ``rleToString``)."""
    counts = np.asarray(counts, dtype=np.int64)
    deltas = counts.copy()
    deltas[3:] -= counts[1:-2]
    groups: list[np.ndarray] = []
    more = np.ones(deltas.size, dtype=bool)
    rest = deltas
    while more.any():
        group = rest & _GROUP
        rest = rest >> 5
        still = np.where(group & _SIGN, rest != -1, rest != 0)
        groups.append(np.where(more, (group | np.where(still, _MORE, 0)) + _CHAR_OFFSET, 0))
        more = more & still
    # Interleave: for each count, its groups in order, skipping the unused slots (0).
    table = np.stack(groups, axis=1).ravel()
    return table[table > 0].astype(np.uint8).tobytes().decode("ascii")


def counts_array(mask: dict) -> np.ndarray:
    """The run lengths of a native mask, whichever form its ``counts`` are in."""
    counts = mask["counts"]
    if isinstance(counts, str):
        return decode_compressed_counts(counts)
    return np.asarray(counts, dtype=np.int64)


def mask_area(mask: dict) -> int:
    """Number of foreground pixels."""
    return int(counts_array(mask)[1::2].sum())


def _foreground_runs(mask: dict) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) pixel index of each non-empty foreground run."""
    counts = counts_array(mask)
    bounds = np.cumsum(counts)
    starts, ends = bounds[0::2][: counts[1::2].size], bounds[1::2]
    keep = ends > starts
    return starts[keep], ends[keep]


def mask_bbox(mask: dict) -> tuple[int, int, int, int]:
    """``(x, y, w, h)`` of the foreground's tight box; ``(0, 0, 0, 0)`` when empty (as pycocotools)."""
    h = int(mask["size"][0])
    starts, ends = _foreground_runs(mask)
    if starts.size == 0:
        return (0, 0, 0, 0)
    first_col, last_col = starts // h, (ends - 1) // h
    spans_columns = last_col > first_col
    # A run that wraps into the next column touches both the bottom and the top row.
    top = np.where(spans_columns, 0, starts % h).min()
    bottom = np.where(spans_columns, h - 1, (ends - 1) % h).max()
    x0, x1 = int(first_col.min()), int(last_col.max())
    return (x0, int(top), x1 - x0 + 1, int(bottom - top + 1))


def decode(mask: dict) -> np.ndarray:
    """The mask as a boolean ``(h, w)`` array."""
    h, w = (int(v) for v in mask["size"])
    counts = counts_array(mask)
    if int(counts.sum()) != h * w:
        raise ValueError(f"RLE counts cover {int(counts.sum())} pixels, the mask has {h * w}")
    values = np.zeros(counts.size, dtype=bool)
    values[1::2] = True
    flat = np.repeat(values, counts)
    return flat.reshape((w, h)).T


def encode(array: np.ndarray, compressed: bool = False) -> dict:
    """A native mask of a 2-D array (non-zero = foreground)."""
    h, w = array.shape
    flat = np.asarray(array, dtype=bool).T.ravel()
    counts = _runs_of(flat)
    if compressed:
        return {"size": [h, w], "counts": encode_compressed_counts(counts)}
    return {"size": [h, w], "counts": counts.tolist()}


def _runs_of(flat: np.ndarray) -> np.ndarray:
    """Alternating run lengths of a flat boolean array, starting with a (maybe empty) background run."""
    if flat.size == 0:
        return np.zeros(1, dtype=np.int64)
    changes = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    bounds = np.concatenate(([0], changes, [flat.size]))
    runs = np.diff(bounds)
    return np.concatenate(([0], runs)) if flat[0] else runs


def cvat_rle_to_native(rle: Sequence[int] | np.ndarray, left: int, top: int, width: int, height: int,
                       img_h: int, img_w: int) -> dict:
    """A CVAT mask (row-major runs inside its box, background first) as a full-image native mask."""
    runs = np.asarray(rle, dtype=np.int64)
    if runs.size and runs.min() < 0:
        raise ValueError("negative run length in CVAT RLE")
    if int(runs.sum()) != width * height:
        raise ValueError(f"CVAT RLE covers {int(runs.sum())} pixels, its box has {width * height}")
    if left < 0 or top < 0 or left + width > img_w or top + height > img_h:
        raise ValueError(f"mask box ({left}, {top}, {width}, {height}) lies outside the {img_w}x{img_h} "
                         "image")
    values = np.zeros(runs.size, dtype=bool)
    values[1::2] = True
    local = np.repeat(values, runs).reshape((height, width))
    return {"size": [img_h, img_w], "counts": _place_columns(local, left, top, img_h, img_w).tolist()}


def _place_columns(local: np.ndarray, left: int, top: int, img_h: int, img_w: int) -> np.ndarray:
    """Full-image column-major run lengths of a box-local bitmap, without building the full image."""
    height, width = local.shape
    padded = np.zeros((height + 2, width), dtype=np.int8)
    padded[1:-1] = local
    # Down each column: +1 where a run starts, -1 one past where it ends. Computed in the
    # bitmap's own row-major layout (fast), then sorted into column-major pixel order.
    step = np.diff(padded, axis=0).ravel()
    rows_starts, col_starts = np.divmod(np.flatnonzero(step == 1), width)
    rows_ends, col_ends = np.divmod(np.flatnonzero(step == -1), width)
    starts = np.sort((left + col_starts) * img_h + top + rows_starts)
    ends = np.sort((left + col_ends) * img_h + top + rows_ends)
    # A run ending at a column's last row and one starting at the next column's row 0 are one run.
    joined = np.isin(ends, starts)
    starts = starts[~np.isin(starts, ends)]
    ends = ends[~joined]
    bounds = np.concatenate(([0], np.column_stack((starts, ends)).ravel(), [img_h * img_w]))
    counts = np.diff(bounds)
    # Foreground reaching the last pixel leaves an empty trailing background run: pycocotools omits it.
    return counts[:-1] if counts.size > 1 and counts[-1] == 0 else counts


def mask_problem(mask: dict) -> str | None:
    """Why ``mask`` is not a valid native mask, or None when it is."""
    size = mask.get("size")
    if (not isinstance(size, list) or len(size) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in size)):
        return "mask 'size' must be [height, width] non-negative integers"
    counts = mask.get("counts")
    if isinstance(counts, str):
        try:
            runs = decode_compressed_counts(counts)
        except (ValueError, UnicodeEncodeError):
            return "mask 'counts' is not a COCO compressed RLE string"
        if runs.size and runs.min() < 0:
            return "mask 'counts' decodes to a negative run length"
        total = int(runs.sum())
    elif isinstance(counts, list) and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                                          for v in counts):
        total = sum(counts)
    else:
        return "mask 'counts' must be a list of non-negative integers or a compressed string"
    if total != size[0] * size[1]:
        return f"mask runs cover {total} pixels, its size {size[0]}x{size[1]} has {size[0] * size[1]}"
    return None
