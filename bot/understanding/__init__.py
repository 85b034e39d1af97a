"""Understanding what residents write: text in, what it is out. Pure: no Flask, database or
network; the engine imports it, it imports nothing of Vecino's.

``read(text)`` sorts a message into crisis / opt_out / ask_opt_out / opt_in / help / menu /
language, or None for an ordinary message; ``Triggers`` finds a request for a flow in one
("necesito comida cerca de 90011"). Word lists and patterns live in ``lexicon``; the
evidence for them in ``tests/corpora/`` (``bench/understanding.py`` prints the figures).
"""

from .classify import Reading, confirmation, is_crisis, read, without_filler
from .normalize import contains_phrase, fold, normalize

__all__ = [
    "Reading",
    "confirmation",
    "contains_phrase",
    "fold",
    "is_crisis",
    "normalize",
    "read",
    "without_filler",
]
