"""Resources: list, search, edit, mark verified, deactivate; import a file like the CLI does.

Partner staff see and change only their own organization's places. Every change is audited
and rebuilds the search index, so residents see it in their next search.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select

from bot.directory.importer import ImportFailed, import_path
from bot.directory.models import Location, Organization, Service, ServiceAtLocation
from bot.directory.search import rebuild_index

from .. import audit
from ..blueprint import EVERYONE, STAFF, allow, blueprint
from ..context import client_ip, current_user, now, reading, services, transaction
from ..context import gettext as _
from ..uploads import UploadRefused, save_upload

log = logging.getLogger(__name__)
PAGE = 50
EDITABLE = {  # form field -> (max length, required)
    "name": (255, True),
    "name_es": (255, False),
    "description": (4000, False),
    "description_es": (4000, False),
    "url": (512, False),
}


def _scoped(query):  # type: ignore[no-untyped-def]
    user = current_user()
    if user.role == "partner":
        # A partner whose organization was removed sees nothing (not every orphan service).
        return query.where(
            Service.organization_id == user.organization_id,
            Service.organization_id.is_not(None),
        )
    return query


@blueprint.route("/resources")
@allow(*EVERYONE)
def resources():  # type: ignore[no-untyped-def]
    text = (request.args.get("q") or "").strip()[:100]
    query = (
        select(Service, Organization.name, func.count(ServiceAtLocation.id))
        .outerjoin(Organization, Organization.id == Service.organization_id)
        .outerjoin(ServiceAtLocation, ServiceAtLocation.service_id == Service.id)
        .group_by(Service.id, Organization.name)
        .order_by(Service.name)
        .limit(PAGE)
    )
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(
            or_(func.lower(Service.name).like(pattern), func.lower(Service.name_es).like(pattern))
        )
    with reading() as db:
        rows = db.execute(_scoped(query)).all()
    return render_template("admin/resources.html", rows=rows, q=text)


def _service(db, service_id: str) -> Service:  # type: ignore[no-untyped-def]
    service = db.get(Service, service_id)
    user = current_user()
    if service is None:
        abort(404, description=_("There is no resource {id}.", id=service_id[:128]))
    if user.role == "partner" and (
        user.organization_id is None or service.organization_id != user.organization_id
    ):
        abort(403, description=_("This resource belongs to another organization."))
    return service


@blueprint.route("/resource/<path:service_id>", methods=["GET"])
@allow(*EVERYONE)
def resource(service_id: str):  # type: ignore[no-untyped-def]
    with reading() as db:
        service = _service(db, service_id)
        places = db.scalars(
            select(Location)
            .join(ServiceAtLocation, ServiceAtLocation.location_id == Location.id)
            .where(ServiceAtLocation.service_id == service.id)
        ).all()
    return render_template("admin/resource.html", service=service, places=places, fields=EDITABLE)


def _edited_values() -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for name, (limit, required) in EDITABLE.items():
        value = (request.form.get(name) or "").strip()
        if required and not value:
            abort(400, description=_("The name cannot be empty."))
        if len(value) > limit:
            abort(
                400,
                description=_("{field} is too long (at most {n} characters).", field=name, n=limit),
            )
        values[name] = value or None
    if values["url"] and not values["url"].startswith(("https://", "http://")):
        abort(400, description=_("A website must start with https:// or http://."))
    return values


@blueprint.route("/resource/<path:service_id>", methods=["POST"])
@allow(*EVERYONE)
def change_resource(service_id: str):  # type: ignore[no-untyped-def]
    action = request.form.get("action")
    if action not in ("save", "verify", "deactivate", "activate"):
        abort(400, description=_("Unknown action."))
    moment = now()
    with transaction() as db:
        service = _service(db, service_id)
        detail: dict[str, object] = {}
        if action == "save":
            for name, value in _edited_values().items():
                if getattr(service, name) != value:
                    detail[name] = value
                    setattr(service, name, value)
        elif action == "verify":
            service.last_verified_on = moment.astimezone(
                ZoneInfo(services().settings.timezone)
            ).date()
            detail["last_verified_on"] = service.last_verified_on.isoformat()
        else:
            service.status = "active" if action == "activate" else "inactive"
            detail["status"] = service.status
        audit.record(
            db,
            current_user(),
            f"resource.{action}",
            moment,
            target=f"service:{service.id}",
            detail=detail,
            ip=client_ip(),
        )
        rebuild_index(db)
    flash(_("Saved."), "info")
    return redirect(url_for("admin.resource", service_id=service_id))


@blueprint.route("/resources/import", methods=["GET", "POST"])
@allow(*STAFF)
def import_resources():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        return render_template("admin/import.html", report=None)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        abort(400, description=_("Choose a file to upload."))
    dry_run = request.form.get("dry_run") == "1"
    with tempfile.TemporaryDirectory() as folder:
        try:
            path = save_upload(upload.stream, upload.filename, Path(folder))
        except UploadRefused as refused:
            abort(400, description=_(refused.key, **refused.params))
        lines, skipped = _run_import(path, dry_run, upload.filename)
    return render_template("admin/import.html", report=lines, skipped=skipped, dry_run=dry_run)


import_resources.accepts_uploads = True  # type: ignore[attr-defined]


def _run_import(path: Path, dry_run: bool, filename: str) -> tuple[list[str], int]:
    """One transaction: a file that fails, or a dry run, writes nothing at all."""
    db = services().db.sessions()
    try:
        report = import_path(db, path)
        if dry_run:
            db.rollback()
        else:
            audit.record(
                db,
                current_user(),
                "resource.import",
                now(),
                target=filename[:200],
                detail={"skipped": len(report.problems)},
                ip=client_ip(),
            )
            db.commit()
    except ImportFailed as error:
        db.rollback()
        abort(
            400, description=_("Nothing was imported: {reasons}", reasons="; ".join(error.reasons))
        )
    except Exception:
        db.rollback()
        log.exception("resource import failed")
        abort(
            400, description=_("Nothing was imported: the file could not be read as a directory.")
        )
    finally:
        db.close()
    return report.lines(), len(report.problems)
