"""The audit log, for admins: who changed what, and who revealed which number."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from ..blueprint import ADMIN, allow, blueprint
from ..context import reading
from ..models import AuditEntry

PAGE = 200


@blueprint.route("/audit")
@allow(*ADMIN)
def audit_log():  # type: ignore[no-untyped-def]
    with reading() as db:
        rows = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(PAGE)).all()
    return render_template("admin/audit.html", rows=rows)
