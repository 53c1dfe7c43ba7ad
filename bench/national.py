"""Benchmark helper: a national-scale plan (about 1,000 activities and 10,000 people).

Copies of the bundled plan's services (:func:`bench.bench_plan.synthetic`), each with extra
service staff (L holders at the service's own scale) so that people number about ten per
activity, as in issue 16's table.

Run: PYTHONPATH=. .venv/bin/python bench/national.py OUT.yaml [ACTIVITIES] [PEOPLE]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from bench.bench_plan import synthetic


def national(activities: int = 1000, people: int = 10_000) -> dict[str, Any]:
    """A plan with about ``activities`` service copies and ``people`` people."""
    data: dict[str, Any] = synthetic(max(1, activities // 2))
    services = data["services"]
    extra = max(0, people - len(data["people"]))
    per_service, rest = divmod(extra, len(services))
    for number, service in enumerate(services):
        service.pop("capabilities", None)  # optional prose: keeps the file under 5 MiB
        scale = service["scale"]
        holders = service["responsibility"][scale].setdefault("L", [])
        role = holders[0]["role"] if holders else "pakalpojuma_sniedzejs"
        for n in range(per_service + (number < rest)):
            person = f"{service['id']}-staff-{n}"
            data["people"].append({"id": person, "name": f"Darbinieks {person}"})
            holders.append({"role": role, "person": person})
    return data


def write_national(path: Path, activities: int = 1000, people: int = 10_000) -> Path:
    """Write :func:`national`'s plan to ``path`` (YAML, UTF-8) and return the path."""
    text = yaml.dump(
        national(activities, people),
        allow_unicode=True,
        Dumper=yaml.CSafeDumper,
        width=200,
        default_flow_style=None,
    )
    path.write_text(text, encoding="utf-8")
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1])
    write_national(out, *(int(a) for a in sys.argv[2:4]))
    print(out, out.stat().st_size // 1024, "KiB")
