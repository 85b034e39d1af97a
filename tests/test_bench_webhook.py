"""bench/webhook.py's own arithmetic (the benchmark itself runs outside the suite)."""

from __future__ import annotations

from bench.webhook import LOPSIDED_SHARE, busiest_share


def run(workers: dict[str, int]) -> dict:
    return {"workers": workers}


def test_a_run_one_worker_answered_alone_is_lopsided() -> None:
    assert busiest_share(run({"101": 5318}), workers=2) == 1.0
    assert busiest_share(run({"101": 7935, "102": 900}), workers=2) > LOPSIDED_SHARE


def test_an_even_split_is_not() -> None:
    assert busiest_share(run({"101": 4852, "102": 4846}), workers=2) < LOPSIDED_SHARE
    assert busiest_share(run({"101": 9024, "102": 8940}), workers=2) < LOPSIDED_SHARE


def test_a_single_worker_or_an_empty_run_is_never_lopsided() -> None:
    assert busiest_share(run({"101": 100}), workers=1) == 0.0
    assert busiest_share(run({}), workers=2) == 0.0
