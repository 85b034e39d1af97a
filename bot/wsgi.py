"""WSGI entry point for gunicorn: ``gunicorn bot.wsgi:app``."""

import gc

from .app import create_app

app = create_app()

# What start-up built (flows, catalogs, SQLAlchemy's mappers and compiled statements) lives as
# long as the process. Frozen, the collector stops walking it: a full collection took 50-80 ms
# with those objects in it, a pause a resident's answer waited out under load.
gc.freeze()
