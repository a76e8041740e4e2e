"""Bar charts as geometry for inline SVG, drawn on the server (no chart service, no JavaScript).
Pure functions; the template renders the shapes, every chart also comes with its data as a table."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    value_x: float
    value_y: float
    css: str = ""


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    maximum: float
    horizontal: bool

    @property
    def empty(self) -> bool:
        return not self.bars or self.maximum == 0


def _scale(maximum: float) -> float:
    return maximum if maximum > 0 else 1.0


def vertical_bars(points: Sequence[tuple[str, float]], width: int = 720, height: int = 220, label_every: int = 1) -> Chart:
    """One column per point (e.g. per day); labels under every `label_every`-th column."""
    top, bottom, left = 20.0, 36.0, 8.0
    maximum = max((v for _, v in points), default=0.0)
    slot = (width - 2 * left) / max(len(points), 1)
    plot = height - top - bottom
    bars = []
    for i, (label, value) in enumerate(points):
        bar_height = plot * value / _scale(maximum)
        x = left + i * slot + slot * 0.15
        bars.append(Bar(
            label=label if i % max(label_every, 1) == 0 else "", value=value, x=round(x, 1),
            y=round(top + plot - bar_height, 1), width=round(slot * 0.7, 1), height=round(bar_height, 1),
            label_x=round(x + slot * 0.35, 1), label_y=height - bottom + 16,
            value_x=round(x + slot * 0.35, 1), value_y=round(top + plot - bar_height - 4, 1),
        ))
    return Chart(width, height, tuple(bars), maximum, horizontal=False)


def horizontal_bars(points: Sequence[tuple[str, float]], width: int = 720, row: int = 26, label_width: int = 260,
                    css: Sequence[str] | None = None) -> Chart:
    """One row per point (e.g. per intent), longest first as given."""
    maximum = max((v for _, v in points), default=0.0)
    plot = width - label_width - 60
    bars = []
    for i, (label, value) in enumerate(points):
        y = 8 + i * row
        bar_width = plot * value / _scale(maximum)
        bars.append(Bar(
            label=label, value=value, x=label_width, y=y, width=round(bar_width, 1), height=row - 8,
            label_x=label_width - 8, label_y=y + row / 2, value_x=round(label_width + bar_width + 6, 1), value_y=y + row / 2,
            css=css[i] if css and i < len(css) else "",
        ))
    return Chart(width, 16 + len(points) * row, tuple(bars), maximum, horizontal=True)
