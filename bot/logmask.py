"""The second line of defence for residents' privacy in logs.

The first line is that nothing logs personal data: code masks addresses
(``bot.privacy.mask_address``) and the database engine hides SQL parameters
(``hide_parameters=True``), so a failed ``INSERT`` does not print a message's text. This
filter catches what slips past both: any phone-number- or chat-id-shaped run in a log line or a
traceback is masked before a handler writes it.
"""

from __future__ import annotations

import logging

from .privacy import mask_text

_TRACEBACKS = logging.Formatter()


class MaskPersonalNumbers(logging.Filter):
    """Masks phone numbers and chat ids in the message, the traceback and the stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it for the handler to report
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set: format it once here, masked.
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


def mask_personal_numbers(logger: logging.Logger | None = None) -> None:
    """Install the filter on every handler of ``logger`` (the root logger), once each.

    On handlers, not on the logger: a logger's filters do not see records that propagate up
    from other loggers (``sqlalchemy``, ``werkzeug``, ``bot.*``), a handler's see them all.
    """
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, MaskPersonalNumbers) for f in handler.filters):
            handler.addFilter(MaskPersonalNumbers())
