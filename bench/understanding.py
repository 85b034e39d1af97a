"""Understanding figures: precision and recall per class over the labelled corpora.

    .venv/bin/python bench/understanding.py [--misses]

Reads ``tests/corpora/*.txt`` through ``bot.understanding`` with the real flow triggers, as
the engine reads a message at the menu. Prints figures; it asserts nothing (the bars are in
tests/test_corpora.py). ``--misses`` lists every message classified wrongly.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.engine import load_flows
from bot.understanding.evaluate import load_corpora, predict, scores
from bot.understanding.requests import Triggers

CORPORA = PROJECT_ROOT / "tests" / "corpora"


def main(show_misses: bool) -> None:
    flows = load_flows(PROJECT_ROOT / "flows")
    triggers = Triggers.of_flows(flows)
    examples = load_corpora(Path(CORPORA))
    started = time.perf_counter()
    predicted = [predict(e.text, triggers) for e in examples]
    elapsed = time.perf_counter() - started
    print(f"{len(examples)} messages from {CORPORA.relative_to(PROJECT_ROOT)}")
    print(f"{'class':<18}{'n':>5}{'precision':>11}{'recall':>9}")
    for score in scores((e.expected, p) for e, p in zip(examples, predicted, strict=True)):
        wanted = score.true_positive + score.false_negative
        print(f"{score.label:<18}{wanted:>5}{score.precision:>11.3f}{score.recall:>9.3f}")
    for language in ("es", "en"):
        mine = [(e, p) for e, p in zip(examples, predicted, strict=True) if e.language == language]
        right = sum(e.expected == p for e, p in mine)
        print(f"accuracy {language}: {right}/{len(mine)} = {right / len(mine):.3f}")
    print(f"{elapsed / len(examples) * 1e6:.0f} µs per message")
    if show_misses:
        for e, p in zip(examples, predicted, strict=True):
            if e.expected != p:
                print(f"  {e.source}: {e.text!r} -> {p}")


if __name__ == "__main__":
    main("--misses" in sys.argv[1:])
