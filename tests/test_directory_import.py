"""Importing the directory: the flat template and HSDS folders, idempotent, bad input
reported by file, row and reason, nothing half-written; and export back to the template."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from bot.cli import main
from bot.config import PROJECT_ROOT
from bot.directory.exporter import export_flat
from bot.directory.importer import FLAT_COLUMNS, ImportFailed, import_path
from bot.directory.models import (
    DirectoryPoint,
    Language,
    Location,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCategory,
)

EXAMPLE = PROJECT_ROOT / "data" / "templates" / "resources_example.csv"
HEADER = ",".join(FLAT_COLUMNS)


def flat_row(**values: str) -> str:
    base = {
        "id": "p1",
        "name": "Despensa",
        "category": "food",
        "address_1": "1 Main St",
        "city": "Los Angeles",
        "zip": "90057",
        "latitude": "34.06",
        "longitude": "-118.27",
        "hours": "Tue 9:00-12:00",
    }
    base.update(values)
    return ",".join(f'"{base.get(column, "")}"' for column in FLAT_COLUMNS)


def write(path: Path, *rows: str, header: str = HEADER, encoding: str = "utf-8",
          newline: str = "\n") -> Path:  # fmt: skip
    path.write_bytes(newline.join([header, *rows, ""]).encode(encoding))
    return path


def count(session, model) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model))


def run_import(vecino, path: Path):  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return import_path(session, path)


def test_the_example_template_imports_and_reimports_without_duplicates(vecino):
    first = run_import(vecino, EXAMPLE)
    assert not first.problems
    assert first.created["service"] == 2
    assert first.searchable == 3  # one place in food, one in housing and legal
    second = run_import(vecino, EXAMPLE)
    assert second.created["service"] == 0 and second.updated["service"] == 0
    assert second.unchanged["service"] == 2
    with vecino.db.transaction() as session:
        assert count(session, Service) == 2
        assert count(session, Schedule) == 3
        assert count(session, Phone) == 2
        assert count(session, Language) == 4
        assert count(session, DirectoryPoint) == 3
        tenants = session.get(Location, "pico-union-tenants")
        # No coordinates in the file: placed at its ZIP's centre, and the report says so.
        assert tenants.latitude is not None
        assert any("no coordinates" in note.reason for note in first.notes)
        pantry = session.get(Service, "westlake-pantry")
        assert pantry.display_name("es") == "Despensa de los sábados"
        assert pantry.display_name("en") == "Saturday food pantry"


def test_a_changed_row_updates_in_place(vecino, tmp_path: Path):
    run_import(vecino, write(tmp_path / "a.csv", flat_row()))
    report = run_import(
        vecino, write(tmp_path / "a.csv", flat_row(name="Despensa Nueva", hours="Wed 9:00-10:00"))
    )
    assert report.updated["service"] == 1
    with vecino.db.transaction() as session:
        assert session.get(Service, "p1").name == "Despensa Nueva"
        assert [s.byday for s in session.scalars(select(Schedule))] == ["WE"]


def test_bad_rows_are_reported_by_file_row_and_reason_while_good_rows_import(
    vecino, tmp_path: Path
):
    path = write(
        tmp_path / "partner.csv",
        flat_row(id="good"),
        flat_row(id="good"),  # duplicate id
        flat_row(id="bad-hours", hours="Funday 9-5"),
        flat_row(id="bad-lat", latitude="north", longitude="-118"),
        flat_row(id="bad-category", category="bicycles"),
        flat_row(id=""),
        flat_row(id="no-name", name=""),
        flat_row(id="sea", latitude="95", longitude="-118"),
        flat_row(id="also-good", category="comida; vivienda"),
    )
    report = run_import(vecino, path)
    problems = {(p.file, p.row): p.reason for p in report.problems}
    assert problems[("partner.csv", 3)] == "duplicate id 'good' (first on row 2)"
    assert "funday" in problems[("partner.csv", 4)]
    assert "latitude 'north' is not a number" in problems[("partner.csv", 5)]
    assert "bicycles" in problems[("partner.csv", 6)]
    assert problems[("partner.csv", 7)] == "no id"
    assert problems[("partner.csv", 8)] == "no name"
    assert "out of range" in problems[("partner.csv", 9)]
    assert len(report.problems) == 7
    with vecino.db.transaction() as session:
        assert set(session.scalars(select(Service.id))) == {"good", "also-good"}
        codes = set(
            session.scalars(
                select(ServiceCategory.category).where(ServiceCategory.service_id == "also-good")
            )
        )
        assert codes == {"food", "housing"}


def test_the_same_id_in_two_files_of_one_import_is_reported(vecino, tmp_path: Path):
    write(tmp_path / "a.csv", flat_row(id="shared", name="First"))
    write(tmp_path / "b.csv", flat_row(id="shared", name="Second"))
    report = run_import(vecino, tmp_path)
    assert [str(p) for p in report.problems] == [
        "b.csv, row 2: duplicate id 'shared' (a.csv, row 2)"
    ]
    with vecino.db.transaction() as session:
        assert session.get(Service, "shared").name == "First"


def test_a_bad_row_never_erases_what_an_earlier_import_stored(vecino, tmp_path: Path):
    run_import(vecino, write(tmp_path / "a.csv", flat_row(hours="Tue 9:00-12:00")))
    run_import(vecino, write(tmp_path / "a.csv", flat_row(hours="whenever")))
    with vecino.db.transaction() as session:
        assert [s.byday for s in session.scalars(select(Schedule))] == ["TU"]


@pytest.mark.parametrize(
    ("encoding", "newline", "bom"),
    [("utf-8", "\r\n", True), ("cp1252", "\r\n", False), ("latin-1", "\n", False)],
)
def test_spreadsheet_encodings_and_line_endings(vecino, tmp_path: Path, encoding, newline, bom):
    path = write(
        tmp_path / "excel.csv",
        flat_row(name="Despensa Señora de Guadalupe"),
        encoding=encoding,
        newline=newline,
    )
    if bom:
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    report = run_import(vecino, path)
    assert not report.problems
    with vecino.db.transaction() as session:
        assert session.get(Service, "p1").name == "Despensa Señora de Guadalupe"
    if encoding != "utf-8":
        assert any("not UTF-8" in note.reason for note in report.notes)


def test_missing_columns_stop_the_import_and_write_nothing(vecino, tmp_path: Path):
    good = write(tmp_path / "a_good.csv", flat_row())
    assert good.exists()
    write(tmp_path / "b_broken.csv", "p2,Despensa", header="id,name")
    with pytest.raises(ImportFailed) as failure:
        run_import(vecino, tmp_path)
    assert "b_broken.csv: missing column(s) category" in failure.value.reasons[0]
    with vecino.db.transaction() as session:
        assert count(session, Service) == 0


def test_a_place_without_schedule_or_coordinates_still_imports(vecino, tmp_path: Path):
    path = write(tmp_path / "a.csv", flat_row(hours="", latitude="", longitude="", zip=""))
    report = run_import(vecino, path)
    assert not report.problems
    assert report.searchable == 0
    assert any("not found by searches" in note.reason for note in report.notes)
    with vecino.db.transaction() as session:
        assert count(session, Service) == 1


def hsds_folder(root: Path, services_extra: str = "") -> Path:
    root.mkdir()
    (root / "organizations.csv").write_text(
        "id,name,description,website\norg1,Clínica del Pueblo,Community clinic,https://e.org\n"
    )
    (root / "services.csv").write_text(
        "id,organization_id,name,name_es,status,fees_description,eligibility_description,"
        "assured_date\n"
        "svc1,org1,Walk-in clinic,Clínica sin cita,active,Sliding scale,All ages,2026-05-01\n"
        "svc2,org-missing,Ghost service,,active,,,\n" + services_extra
    )
    (root / "locations.csv").write_text(
        "id,organization_id,name,latitude,longitude\nloc1,org1,Main,34.0700,-118.2700\n"
    )
    (root / "addresses.csv").write_text(
        "id,location_id,address_1,city,state_province,postal_code,country,address_type\n"
        "a1,loc1,100 Alvarado St,Los Angeles,CA,90057,US,physical\n"
    )
    (root / "service_at_location.csv").write_text(
        "id,service_id,location_id\nsal1,svc1,loc1\nsal2,svc1,loc-missing\n"
    )
    (root / "phones.csv").write_text("id,service_at_location_id,number\nph1,sal1,2135550199\n")
    (root / "schedules.csv").write_text(
        "id,service_at_location_id,freq,byday,opens_at,closes_at\n"
        'sc1,sal1,WEEKLY,"MO,TU,WE",09:00,17:00\nsc2,sal1,MONTHLY,2SA,09:00,12:00\n'
        "sc3,sal1,WEEKLY,XX,09:00,12:00\n"
    )
    (root / "languages.csv").write_text("id,service_id,code,name\nl1,svc1,es,Spanish\n")
    (root / "taxonomy_terms.csv").write_text("id,code,name,description\nt1,LN,Health,Health\n")
    (root / "attributes.csv").write_text(
        "id,link_id,link_type,link_entity,taxonomy_term_id\nat1,svc1,,service,t1\n"
    )
    return root


def test_an_hsds_folder_imports_idempotently_and_reports_bad_rows(vecino, tmp_path: Path):
    folder = hsds_folder(tmp_path / "hsds")
    first = run_import(vecino, folder)
    assert first.format == "HSDS"
    reasons = {(p.file, p.row): p.reason for p in first.problems}
    assert reasons[("services.csv", 3)] == "organization_id 'org-missing' does not exist"
    assert reasons[("service_at_location.csv", 3)] == "location_id 'loc-missing' does not exist"
    assert "XX" in reasons[("schedules.csv", 4)]
    assert first.searchable == 1
    second = run_import(vecino, folder)
    assert not second.created and second.unchanged["service"] == 1
    with vecino.db.transaction() as session:
        assert count(session, ServiceAtLocation) == 1
        assert count(session, Schedule) == 2
        location = session.get(Location, "loc1")
        assert (location.address_1, location.postal_code) == ("100 Alvarado St", "90057")
        assert session.scalar(select(Phone.number)) == "(213) 555-0199"
        assert session.scalar(select(ServiceCategory.category)) == "health"
        assert session.get(Service, "svc1").last_verified_on.isoformat() == "2026-05-01"


def test_an_hsds_file_without_required_columns_writes_nothing(vecino, tmp_path: Path):
    folder = hsds_folder(tmp_path / "hsds")
    (folder / "phones.csv").write_text("id,service_at_location_id\nph1,sal1\n")
    with pytest.raises(ImportFailed) as failure:
        run_import(vecino, folder)
    assert "phones.csv: missing column(s) number" in str(failure.value)
    with vecino.db.transaction() as session:
        assert count(session, Service) == 0


def test_export_writes_the_template_back_and_reimports_unchanged(vecino, tmp_path: Path):
    run_import(vecino, EXAMPLE)
    out = io.StringIO()
    with vecino.db.transaction() as session:
        assert export_flat(session, out) == 2
    exported = write(tmp_path / "export.csv", *out.getvalue().splitlines()[1:])
    text = exported.read_text()
    assert "Sat 08:00-11:00; 2nd Wed 17:00-19:00" in text
    assert "housing; legal" in text
    report = run_import(vecino, exported)
    assert not report.problems
    assert report.unchanged["service"] == 2 and not report.updated


def test_cli_import_export_and_demo(vecino, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", vecino.settings.database_url)
    runner = CliRunner()
    result = runner.invoke(main, ["resources", "import", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "service: 2 new" in result.output
    bad = write(tmp_path / "bad.csv", flat_row(id="x", hours="nope"))
    result = runner.invoke(main, ["resources", "import", str(bad)])
    assert result.exit_code == 2
    assert "SKIPPED bad.csv, row 2: hours:" in result.output
    result = runner.invoke(main, ["resources", "import", "--dry-run", str(bad)])
    assert "dry run" in result.output
    new = write(tmp_path / "new.csv", flat_row(id="checked-only"))
    result = runner.invoke(main, ["resources", "import", "--dry-run", str(new)])
    assert result.exit_code == 0 and "service: 1 new" in result.output
    with vecino.db.transaction() as session:
        assert session.get(Service, "checked-only") is None
    broken = write(tmp_path / "broken.csv", "p9,Despensa", header="id,name")
    result = runner.invoke(main, ["resources", "import", str(broken)])
    assert result.exit_code == 1
    assert "missing column(s) category" in result.output
    out = tmp_path / "out.csv"
    result = runner.invoke(main, ["resources", "export", "--out", str(out)])
    assert result.exit_code == 0
    assert out.read_text().startswith(HEADER)
    result = runner.invoke(main, ["demo", "--if-empty"])
    assert "already has places" in result.output
    result = runner.invoke(main, ["demo"])
    assert "459 places" in result.output
    with vecino.db.transaction() as session:
        assert count(session, Service) == 459 + 2
