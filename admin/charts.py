"""Charts drawn on the server as SVG: no script, no CDN, nothing for the CSP to allow.

Colours come from presentation attributes (``fill=``), which a ``style-src 'self'`` policy
does not block, unlike inline ``style=`` attributes.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

COLOURS = {"es": "#b5422c", "en": "#2c6fb5", "?": "#888888", "all": "#3d5166"}
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 220, 40, 28, 10


def bars(
    labels: Sequence[str],
    series: dict[str, Sequence[int]],
    names: dict[str, str],
    title: str,
) -> Markup:
    """Grouped bars, one group per label, one bar per series; an accessible title and legend."""
    keys = [k for k in ("es", "en", "?") if k in series] or list(series)
    peak = max([max(series[k], default=0) for k in keys] + [1])
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - BOTTOM - TOP
    group = plot_w / max(len(labels), 1)
    bar = max(group / (len(keys) + 1), 1)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT + 20}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 10}" y2="{TOP + plot_h}" '
        'stroke="#444"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 8}" text-anchor="end" font-size="11">{peak}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    for i, label in enumerate(labels):
        x0 = LEFT + i * group
        for j, key in enumerate(keys):
            value = series[key][i]
            h = plot_h * value / peak
            parts.append(
                f'<rect x="{x0 + j * bar:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{COLOURS.get(key, "#555")}">'
                f"<title>{escape(label)} · {escape(names.get(key, key))}: {value}</title></rect>"
            )
        if i % 7 == 0 or (i == len(labels) - 1 and i % 7 > 3):
            parts.append(
                f'<text x="{x0:.1f}" y="{TOP + plot_h + 16}" font-size="11">{escape(label)}</text>'
            )
    for j, key in enumerate(keys):
        x = LEFT + j * 140
        parts.append(
            f'<rect x="{x}" y="{HEIGHT + 4}" width="12" height="12" '
            f'fill="{COLOURS.get(key, "#555")}"/><text x="{x + 16}" y="{HEIGHT + 14}" '
            f'font-size="12">{escape(names.get(key, key))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
