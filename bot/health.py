"""``GET /healthz``: 200 when the database answers, 503 when it does not."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz() -> ResponseReturnValue:
    if current_app.extensions["vecino"].db.ping():
        return jsonify(status="ok")
    return jsonify(status="unavailable", reason="database did not answer"), 503
