"""Labeling-tool configurations generated from a spec (``specc export-config``).

Each target turns the IR into the tool's own config text. What a tool cannot express
(Label Studio brushes are not read back, CVAT has no image-level attributes and no unset state) is not dropped
silently: it is listed in :attr:`ToolConfig.warnings` for the CLI to print on stderr.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from specdsl import ir

__all__ = ["TARGETS", "ToolConfig", "export_config"]


@dataclass(frozen=True)
class ToolConfig:
    target: str
    text: str
    warnings: tuple[str, ...] = ()


def _label_studio(spec: ir.Spec) -> ToolConfig:
    from specdsl.configs.label_studio import label_studio_config

    return label_studio_config(spec)


def _cvat(spec: ir.Spec) -> ToolConfig:
    from specdsl.configs.cvat import cvat_config

    return cvat_config(spec)


TARGETS: dict[str, Callable[[ir.Spec], ToolConfig]] = {
    "label-studio": _label_studio,
    "cvat": _cvat,
}


def export_config(spec: ir.Spec, target: str) -> ToolConfig:
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; known: {', '.join(TARGETS)}")
    return TARGETS[target](spec)
