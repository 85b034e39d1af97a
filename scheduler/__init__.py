"""``vecino worker``: APScheduler 3.11 for the jobs, plus the outbox's sender loop.

- ``lock``: one scheduler at a time (PostgreSQL advisory lock; a file lock beside SQLite);
- ``jobs``: the jobs, module-level functions that find their work and feed the outbox;
- ``worker``: the process: scheduler when it holds the lock, sender loop, standby otherwise.
"""
