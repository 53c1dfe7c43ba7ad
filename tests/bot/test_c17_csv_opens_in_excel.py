"""C17: a CSV export opens correctly in Excel (mtotschnig/MyExpenses#1432).

Excel guesses a CSV's encoding; without a byte-order mark it shows UTF-8 Latvian letters as
mojibake. The scenario: an indicator named ``Ūdens temperatūra, °C``, a comment with a
semicolon, double quotes and a line break, and a role holder titled ``Atbildīgais``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from bot.cli import main
from bot.exchange.table import HEADERS
from workflows.plan.loader import bundled_plan_path

LABEL = "Ūdens temperatūra, °C"
TITLE = "Atbildīgais"
COMMENT = 'Mērīts pie ieejas; sensors rāda "karsts"\notrā rindā: pārbaudīt'


@pytest.fixture(autouse=True)
def _plan(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    text = (bundled_plan_path() / "parauga-novads.yaml").read_text(encoding="utf-8")
    text = text.replace(
        'lv: "Noteiktajā termiņā apstrādāto deklarāciju īpatsvars"', f'lv: "{LABEL}"'
    )
    text = text.replace('lv: "Pakalpojuma saimnieks"', f'lv: "{TITLE}"')
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONTROLBOT_PLAN", str(plan))
    monkeypatch.setenv("CONTROLBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'c17.sqlite3'}")
    monkeypatch.delenv("CONTROLBOT_DEFAULT_LOCALE", raising=False)
    source = tmp_path / "in.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["indicator", "period", "value", "comment"])
        writer.writerow(["dd-within-sla", "2026-10", "96,5", COMMENT])
        writer.writerow(["dd-e-share", "2026-10", "71,2", ""])
        writer.writerow(["dd-avg-processing", "2026-10", "1,2", "“pēdiņas”, komats, semikols;"])
    assert main(["import", str(source), "--source", "sensors"]) == 0


@pytest.mark.parametrize(
    ("variant", "delimiter", "value"), [("excel", ",", "96.5"), ("lv", ";", "96,5")]
)
def test_csv_export_opens_correctly_in_excel(
    tmp_path: Path, variant: str, delimiter: str, value: str
) -> None:
    out = tmp_path / f"{variant}.csv"
    assert main(["export", "--format", "csv", "--csv-variant", variant, "--out", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs
    text = data[3:].decode("utf-8")  # strict: any mojibake would fail here
    assert LABEL in text and TITLE in text and "°C" in text
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    assert len(records) == 3 + 1  # measurements + the header row
    assert records[0] == list(HEADERS)
    assert all(len(r) == len(HEADERS) for r in records)  # every field in its own column
    by_indicator = {r[HEADERS.index("indicator")]: r for r in records[1:]}
    sla = by_indicator["dd-within-sla"]
    assert sla[HEADERS.index("indicator_label")] == LABEL
    assert sla[HEADERS.index("comment")] == COMMENT
    assert sla[HEADERS.index("responsible_role")] == TITLE
    assert sla[HEADERS.index("value")] == value
    quoted = "“pēdiņas”, komats, semikols;"
    assert by_indicator["dd-avg-processing"][HEADERS.index("comment")] == quoted
    assert f'"{COMMENT.replace(chr(34), chr(34) * 2)}"' in text  # quoted, quotes doubled
