"""Charts as plain geometry (rectangles, texts, lines), drawn as inline SVG by
``templates/_macros/charts.html``: no JavaScript, identical on the page and in the PDF. The
base of the training results' charts (``surveys.analytics.charts``) and of the dashboard's
(``app.indicators.charts``).

Sized for a phone: a 360-unit wide view box shows text at about its nominal size on a 390 px
screen. Every chart has a title and a text description (screen readers) and its bars carry their
numbers; the palette is Okabe-Ito's orange and blue, which differ in lightness as well as hue, so
two series survive a black-and-white printer and colour blindness.
"""
from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 360
ORANGE, BLUE, TEXT_COLOUR, GRID_COLOUR = "#E69F00", "#0072B2", "#222222", "#BBBBBB"


@dataclass
class Chart:
    id: str
    title: str
    desc: str
    height: int
    width: int = WIDTH
    rects: list[dict] = field(default_factory=list)   # x, y, w, h, fill
    texts: list[dict] = field(default_factory=list)   # x, y, text, anchor, size, bold
    lines: list[dict] = field(default_factory=list)   # x1, y1, x2, y2, dash

    def rect(self, x, y, w, h, fill):
        self.rects.append({"x": round(x, 1), "y": round(y, 1), "w": round(max(w, 0), 1), "h": round(max(h, 0), 1),
                           "fill": fill})

    def text(self, x, y, text, anchor="start", size=12, bold=False):
        self.texts.append({"x": round(x, 1), "y": round(y, 1), "text": text, "anchor": anchor, "size": size,
                           "bold": bold})

    def line(self, x1, y1, x2, y2, dash=False):
        self.lines.append({"x1": round(x1, 1), "y1": round(y1, 1), "x2": round(x2, 1), "y2": round(y2, 1),
                           "dash": dash})

    def keys(self, entries, y: float = 12) -> None:
        """A legend: one coloured square and its label per (x, colour, label)."""
        for x, colour, label in entries:
            self.rect(x, y - 10, 13, 13, colour)
            self.text(x + 18, y + 1, label, size=13)
