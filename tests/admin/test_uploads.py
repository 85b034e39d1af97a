"""Importing resources from the admin view: the CLI's report, and refusals with a reason."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from admin import uploads
from bot.directory.models import Service

from .conftest import FLAT_HEADER


def _upload(staff, name: str, data: bytes, dry_run: bool = False):  # type: ignore[no-untyped-def]
    form = {"file": (io.BytesIO(data), name)}
    if dry_run:
        form["dry_run"] = "1"
    return staff.post("/admin/resources/import", form, content_type="multipart/form-data")


def _services(vecino) -> int:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Service))


GOOD = f"{FLAT_HEADER}\nn1,New Org,New Pantry,,food,3 Elm St,Los Angeles,CA,90004,34.07,-118.30\n"


def test_a_flat_csv_imports_with_the_clis_row_by_row_report(organizer, vecino):  # type: ignore[no-untyped-def]
    data = GOOD + "n2,New Org,,,food,,,,,,\nn3,New Org,Bad Place,,food,,,,,95,-118\n"
    response = _upload(organizer, "places.csv", data.encode())
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Format: flat template" in text
    assert "SKIPPED upload.csv, row 3: no name" in text
    assert "SKIPPED upload.csv, row 4: latitude" in text
    assert "2 row(s) skipped." in text
    assert _services(vecino) == 3  # the two from the fixture and the good new row


def test_a_dry_run_writes_nothing(organizer, vecino):  # type: ignore[no-untyped-def]
    response = _upload(organizer, "places.csv", GOOD.encode(), dry_run=True)
    assert "Checked (dry run, nothing written)." in response.get_data(as_text=True)
    assert _services(vecino) == 2


def test_an_hsds_zip_imports(organizer, vecino):  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hsds/organizations.csv", "id,name\nz-org,Zip Org\n")
        archive.writestr("hsds/services.csv", "id,organization_id,name\nz-svc,z-org,Zip Pantry\n")
    response = _upload(organizer, "HSDS.ZIP", buffer.getvalue())
    text = response.get_data(as_text=True)
    assert response.status_code == 200, text
    assert "Format: HSDS" in text
    assert _services(vecino) == 3


def test_a_file_missing_required_columns_imports_nothing(organizer, vecino):  # type: ignore[no-untyped-def]
    response = _upload(organizer, "places.csv", b"name,city\nA,LA\n")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Nothing was imported" in text and "missing column(s) id, category" in text
    assert _services(vecino) == 2


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("places.xlsx", b"PK\x03\x04", "Upload a .csv file"),
        ("places.csv", b"", "The file is empty."),
        ("hsds.zip", b"this is not a zip", "not a readable zip file"),
    ],
)
def test_malformed_uploads_are_refused_with_a_reason(organizer, vecino, name, data, reason):  # type: ignore[no-untyped-def]
    response = _upload(organizer, name, data)
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)
    assert _services(vecino) == 2


def _zip(**files: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name.replace("__", "/"), text)
    return buffer.getvalue()


def test_a_zip_that_climbs_out_of_its_folder_is_refused(organizer):  # type: ignore[no-untyped-def]
    data = _zip(**{"..__..__etc__services.csv": "id,name\n"})
    response = _upload(organizer, "evil.zip", data)
    assert response.status_code == 400
    assert "unexpected place" in response.get_data(as_text=True)


def test_a_zip_bomb_is_refused_before_it_fills_the_disk(organizer, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(uploads, "MAX_UNPACKED", 100_000)
    data = _zip(**{"services.csv": "id,name\n" + "x" * 400_000})
    assert len(data) < 10_000  # tiny on the wire
    response = _upload(organizer, "bomb.zip", data)
    assert response.status_code == 400
    assert "too large unpacked" in response.get_data(as_text=True)


def test_an_upload_over_the_limit_is_refused_with_413_and_a_reason(organizer, monkeypatch):  # type: ignore[no-untyped-def]
    from admin import security

    monkeypatch.setattr(security, "MAX_UPLOAD_BYTES", 2**20)
    response = _upload(organizer, "big.csv", (GOOD + "x" * 1_100_000).encode())
    assert response.status_code == 413
    assert "too large (the limit is 1 MB)" in response.get_data(as_text=True)


def test_uploads_above_the_webhook_limit_are_accepted_up_to_the_upload_limit(organizer, vecino):  # type: ignore[no-untyped-def]
    rows = "".join(
        f"b{n},Big Org,Place {n},,food,{n} Main St,Los Angeles,CA,90004,34.07,-118.30\n"
        for n in range(5000)
    )
    data = (FLAT_HEADER + "\n" + rows).encode()
    assert len(data) > 256 * 1024
    response = _upload(organizer, "big.csv", data)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert _services(vecino) == 2 + 5000


def test_an_oversized_ordinary_form_is_refused_with_a_reason(organizer, vecino):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from bot.models import StaffFlag

    with vecino.db.transaction() as session:
        assert session.scalars(select(StaffFlag)).first() is None
    response = organizer.post("/admin/flags/1/handle", {"note": "x" * 400_000})
    assert response.status_code == 413
    assert "too large for this form" in response.get_data(as_text=True)
