"""Measuring the classifier on labelled corpora (``tests/corpora/``): per-class precision and
recall, for the corpora test and ``bench/understanding.py``.

A corpus file is ``CLASS.txt`` with one message a line, ``LANG [extra...] | text``; ``#``
starts a note. File names map to the class the classifier must give (``opt_out_fcc`` and
``opt_out`` are both ``opt_out``; ``find_help`` is a request for the ``find_help`` flow;
``ordinary`` is an answer or anything else, ``other`` here).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .classify import read
from .requests import Triggers

EXPECTED_CLASS = {
    "opt_out_fcc": "opt_out",
    "opt_out": "opt_out",
    "find_help": "intent:find_help",
    "ordinary": "other",
}


@dataclass(frozen=True)
class Example:
    source: str  # the corpus file's stem
    language: str
    extra: tuple[str, ...]
    text: str

    @property
    def expected(self) -> str:
        return EXPECTED_CLASS.get(self.source, self.source)


def load_corpora(folder: Path) -> list[Example]:
    examples = []
    for path in sorted(folder.glob("*.txt")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            label, sep, text = line.partition(" | ")
            fields = label.split()
            if not sep or not fields or fields[0] not in ("es", "en"):
                raise ValueError(f"{path.name}:{number}: expected 'LANG | text'")
            examples.append(Example(path.stem, fields[0], tuple(fields[1:]), text.strip()))
    return examples


def predict(text: str, triggers: Triggers | None, opted_out: bool = False) -> str:
    """The class the engine acts on, read at the top (nothing but the menu waiting)."""
    reading = read(text)
    if reading is not None:
        return reading.kind
    found = triggers.match(text, inside=True) if triggers is not None else None
    return f"intent:{found[1]}" if found is not None else "other"


@dataclass(frozen=True)
class Score:
    label: str
    true_positive: int
    false_positive: int
    false_negative: int

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else 1.0


def scores(pairs: Iterable[tuple[str, str]]) -> list[Score]:
    """Per-class precision and recall from ``(expected, predicted)`` pairs."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for expected, predicted in pairs:
        if expected == predicted:
            tp[expected] += 1
        else:
            fp[predicted] += 1
            fn[expected] += 1
    labels = sorted(set(tp) | set(fp) | set(fn))
    return [Score(label, tp[label], fp[label], fn[label]) for label in labels]
