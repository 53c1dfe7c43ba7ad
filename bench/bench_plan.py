"""Benchmark: loading and validating plans of growing size (``controlbot plan check``).

Builds synthetic plans from the bundled one with N copies of its services (and their people),
then times ``load_plan`` and reports peak memory (tracemalloc).

Run: .venv/bin/python bench/bench_plan.py
"""

from __future__ import annotations

import copy
import tempfile
import time
import tracemalloc
from pathlib import Path

import yaml

from workflows.plan.loader import bundled_plan_path, load_plan


def synthetic(copies: int) -> dict[str, object]:
    base = yaml.safe_load((bundled_plan_path() / "parauga-novads.yaml").read_text("utf-8"))
    services = []
    people = list(base["people"])
    for n in range(copies):
        for service in base["services"]:
            clone = copy.deepcopy(service)
            clone["id"] = f"{service['id']}-{n}"
            for indicator in clone["indicators"]:
                indicator["id"] = f"{indicator['id']}-{n}"
            for resp in clone["responsibility"].values():
                for mark in ("A", "L"):
                    for holder in resp.get(mark, []):
                        new_id = f"{holder['person']}-{n}"
                        people.append({"id": new_id, "name": f"Persona {new_id}"})
                        holder["person"] = new_id
            services.append(clone)
    base["services"] = services
    seen: set[str] = set()
    base["people"] = [p for p in people if not (p["id"] in seen or seen.add(p["id"]))]
    return base


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for copies in (1, 10, 100, 500):
            path = Path(tmp) / f"plan-{copies}.yaml"
            data = synthetic(copies)
            path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
            tracemalloc.start()
            t0 = time.perf_counter()
            loaded = load_plan(path)
            elapsed = time.perf_counter() - t0
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            indicators = sum(len(a.indicators) for a in loaded.activities)
            print(
                f"activities={len(loaded.activities):5d} indicators={indicators:5d} "
                f"people={len(loaded.plan.people):5d} size={path.stat().st_size // 1024:6d} KiB "
                f"load={elapsed * 1000:8.1f} ms peak={peak / 2**20:6.1f} MiB"
            )


if __name__ == "__main__":
    main()
