"""Sending: every message Vecino starts, and what providers say happened to it.

- ``status``: the status values of stored messages, in one enum;
- ``sender``: the ``Sender`` protocol every provider's sender implements, and its report;
- ``replies``: replies a channel sends itself (Telegram), and sending them again safely;
- ``receipts``: delivery receipts (Twilio status callbacks).
"""
