"""SMS segment arithmetic (GSM-7 / UCS-2): what a text costs, for any code that must know.

The SMS renderer splits bodies with it, the directory keeps resource pages within a budget,
the outbox paces sends by it. Channel-free, so domain code may use it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")  # each costs two septets (escape + char)


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets or UTF-16 code units
    segments: int


def count_segments(text: str) -> SegmentCount:
    """How many SMS segments a body is billed as.

    GSM-7 carries 160 characters in one segment, 153 per segment once concatenated. A single
    character outside GSM-7 (Spanish á í ó ú, any emoji) switches the whole message to UCS-2:
    70 per segment, 67 when concatenated.
    """
    if not text:
        return SegmentCount("GSM-7", 0, 0)
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        septets = len(text) + sum(1 for ch in text if ch in GSM7_EXTENSION)
        segments = 1 if septets <= 160 else math.ceil(septets / 153)
        return SegmentCount("GSM-7", septets, segments)
    units = len(text.encode("utf-16-le")) // 2
    segments = 1 if units <= 70 else math.ceil(units / 67)
    return SegmentCount("UCS-2", units, segments)
