"""Where the text of a PDF page lands, read back with pypdf: the box of every line the summary's fonts show.

Like pdfplumber's character boxes, with pypdf's visitor functions: each text
operator (TJ, Tj) is seen with the font and size in force and the text and
graphics matrices; the advance of its glyphs comes from the font's own width
table (/W of a Type0 font, as WeasyPrint writes them). Lines in other fonts (the
exhibits' own pages) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from pypdf import PageObject
from pypdf.generic import ArrayObject, DictionaryObject

ASCENT, DESCENT = 0.93, 0.24  # of the em (DejaVu's, a little more than most glyphs reach)


@dataclass(frozen=True)
class TextLine:
    glyphs: int
    corners: tuple[tuple[float, float], ...]  # of the box the glyphs fill, in PDF points from the bottom left

    def is_within(self, width: float, height: float, *, slack: float = 0.5) -> bool:
        return all(-slack <= x <= width + slack and -slack <= y <= height + slack for x, y in self.corners)


def _widths(font: DictionaryObject) -> tuple[dict[int, float], float]:
    """CID -> advance in thousandths of the em, and the default, from a Type0 font's descendant."""
    descendant = font["/DescendantFonts"][0].get_object()
    widths: dict[int, float] = {}
    table = list(descendant.get("/W", []))
    index = 0
    while index < len(table):
        first = int(table[index])
        following = table[index + 1]
        if isinstance(following, ArrayObject):
            for offset, width in enumerate(following):
                widths[first + offset] = float(width)
            index += 2
        else:
            for cid in range(first, int(following) + 1):
                widths[cid] = float(table[index + 2])
            index += 3
    return widths, float(descendant.get("/DW", 1000))


def _multiply(first: list[float], second: list[float]) -> list[float]:
    a, b, c, d, e, f = first
    a2, b2, c2, d2, e2, f2 = second
    return [
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    ]


def text_lines(page: PageObject, *, font_name: str = "Passage-Sans") -> list[TextLine]:
    """The box of every text operator on the page set in a font whose name contains `font_name`."""
    fonts = page["/Resources"]["/Font"]
    state: dict = {"font": None, "size": 0.0}
    lines: list[TextLine] = []

    def before(operator: bytes, operands: list, cm: list[float], tm: list[float]) -> None:
        if operator == b"Tf":
            font = fonts[operands[0]].get_object()
            state["size"] = float(operands[1])
            wanted = font_name in str(font.get("/BaseFont", "")) and font.get("/Subtype") == "/Type0"
            state["font"] = _widths(font) if wanted else None
        elif operator in (b"TJ", b"Tj") and state["font"] is not None:
            widths, default = state["font"]
            parts = operands[0] if operator == b"TJ" else [operands[0]]
            thousandths, glyphs = 0.0, 0
            for part in parts:
                if isinstance(part, bytes | str):
                    raw = part if isinstance(part, bytes) else part.encode("latin-1")
                    cids = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
                    thousandths += sum(widths.get(cid, default) for cid in cids)
                    glyphs += len(cids)
                else:
                    thousandths -= float(part)
            size = state["size"]
            advance, up, down = thousandths / 1000 * size, ASCENT * size, DESCENT * size
            a, b, c, d, e, f = _multiply(tm, cm)
            corners = tuple(
                (e + a * along + c * across, f + b * along + d * across)
                for along in (0, advance)
                for across in (-down, up)
            )
            lines.append(TextLine(glyphs=glyphs, corners=corners))

    page.extract_text(visitor_operand_before=before)
    return lines
