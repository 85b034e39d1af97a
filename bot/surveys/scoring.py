"""Scores from answers, following the rules written in each survey file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .definitions import Score


@dataclass(frozen=True)
class ScoreResult:
    key: str
    value: int | None  # the sum, or 1/0 for an "any" screen; None when it cannot be told yet
    positive: bool | None


def compute(score: Score, answers: Mapping[str, Any]) -> ScoreResult:
    """Score one rule. ``answers`` maps question keys to values; a skip is None.

    A screen is positive as soon as the answers given make it so, even if an item was skipped
    (a resident who answers "often true" to one hunger item screens positive). It is negative
    only when every item was answered.
    """
    values = [answers.get(item) for item in score.items]
    complete = all(value is not None for value in values)
    if score.kind == "any":
        hit = any(_is_positive(value, score.positive) for value in values)
        if hit:
            return ScoreResult(score.key, 1, True)
        return ScoreResult(score.key, 0, False) if complete else ScoreResult(score.key, None, None)
    points = [score.points.get(str(value)) for value in values if value is not None]
    partial = sum(p for p in points if p is not None)
    threshold = score.positive_at if score.positive_at is not None else 0
    if complete and None not in points:
        return ScoreResult(score.key, partial, partial >= threshold)
    return ScoreResult(score.key, None, True if partial >= threshold else None)


def _is_positive(value: Any, positive: tuple[Any, ...]) -> bool:
    if isinstance(value, list):
        return any(item in positive for item in value)
    return value is not None and value in positive


def compute_all(scores: tuple[Score, ...], answers: Mapping[str, Any]) -> list[ScoreResult]:
    return [compute(score, answers) for score in scores]
