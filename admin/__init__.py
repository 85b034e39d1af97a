"""The admin view: a Flask blueprint at ``/admin/`` for organizers and partner staff."""

from __future__ import annotations

from flask import Flask


def init_admin(app: Flask) -> None:
    """Register the blueprint, its cookies and CSRF settings, and the template helpers."""
    from . import auth, security, templating, views  # noqa: F401  (routes register themselves on the blueprint)
    from .blueprint import blueprint

    security.configure(app)
    templating.configure(app)
    app.register_blueprint(blueprint)
