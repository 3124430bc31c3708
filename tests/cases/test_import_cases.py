"""import_cases: all rows or none, every bad row named by its line."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cases.models import Case
from cases.services import assigned_caseworkers
from vault.keys import key_scope

pytestmark = pytest.mark.django_db

HEADER = "legal_name,chosen_name,date_of_birth,phone,narrative,intake_date,risk,assigned_to,reference\n"


def write(tmp_path, rows: list[str], header: str = HEADER):
    path = tmp_path / "cases.csv"
    path.write_text(header + "".join(rows), encoding="utf-8")
    return path


def good_row(caseworker, name="Imported Fictional", reference="") -> str:
    return (
        f'{name},,1991-02-03,+7 900 123 45 67,"Story, with a comma",2026-01-10,high,{caseworker.username},{reference}\n'
    )


def test_a_good_file_imports_every_row(tmp_path, caseworker):
    path = write(tmp_path, [good_row(caseworker), good_row(caseworker, "Второй Вымыслов", "EV-2020-0007")])
    out = StringIO()
    call_command("import_cases", str(path), stdout=out)
    assert "Imported 2 cases" in out.getvalue()
    assert "imported 2/2" in out.getvalue()
    assert set(Case.objects.values_list("reference", flat=True)) == {"EV-2026-0001", "EV-2020-0007"}
    with key_scope():
        imported = Case.objects.get(reference="EV-2020-0007")
        assert imported.legal_name == "Второй Вымыслов"
        assert imported.narrative == "Story, with a comma"
    assert assigned_caseworkers(imported) == [caseworker]


def test_one_bad_row_imports_nothing_and_every_bad_line_is_named(tmp_path, caseworker, lawyer):
    rows = [
        good_row(caseworker),
        f"Bad Date,,1991-13-45,,x,2026-01-10,high,{caseworker.username},\n",
        good_row(caseworker, "Third Fictional"),
        f"Wrong Person,,,,x,2026-01-10,high,{lawyer.username},\n",
        f"Bad Risk,,,,x,2026-01-10,extreme,{caseworker.username},\n",
        f"Dup,,,,x,2026-01-10,low,{caseworker.username},EV-2020-0001\n",
        f"Dup Again,,,,x,2026-01-10,low,{caseworker.username},EV-2020-0001\n",
    ]
    path = write(tmp_path, rows)
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_cases", str(path), stdout=StringIO(), stderr=err)
    report = err.getvalue()
    assert "line 3: date_of_birth" in report
    assert "line 5: assigned_to" in report
    assert "line 6: risk" in report
    assert "line 8: reference EV-2020-0001 appears twice" in report
    assert "line 2" not in report and "line 4" not in report
    assert not Case.objects.exists()


def test_missing_columns_are_named(tmp_path, caseworker):
    path = write(tmp_path, ["x,y\n"], header="legal_name,phone\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_cases", str(path), stdout=StringIO(), stderr=err)
    assert "missing columns: chosen_name, date_of_birth, narrative, intake_date, risk, assigned_to" in err.getvalue()


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(HEADER.encode() + "Jos\xe9,,,,,2026-01-01,low,x,\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_cases", str(path), stdout=StringIO())


def test_a_row_spanning_lines_is_named_by_its_first_line_and_its_bad_value_is_not_echoed(tmp_path, caseworker):
    rows = [
        f'Multi Line,,1991-02-03,,"First line of the story\nsecond line\nthird line",2026-01-10,high,{caseworker.username},\n',
        f"Compact Date,,19910203,,x,2026-01-10,high,{caseworker.username},\n",
    ]
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_cases", str(write(tmp_path, rows)), stdout=StringIO(), stderr=err)
    report = err.getvalue()
    assert "line 5: date_of_birth is not a date written like 2026-03-31" in report  # not line 4, not 20260203
    assert "19910203" not in report
    assert "line 2" not in report
    assert not Case.objects.exists()
