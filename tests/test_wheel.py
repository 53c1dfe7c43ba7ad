"""A normal (non-editable) install works: catalogues, bundled plan and migrations ship."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

HEAD = sorted(
    p.name[:4] for p in (Path(__file__).parents[1] / "storage/migrations/versions").glob("0*.py")
)[-1]
ROOT = Path(__file__).parents[1]


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_wheel_installed_in_a_fresh_venv_runs_plan_check(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(ROOT)],
        tmp_path,
        dict(os.environ),
    )
    assert built.returncode == 0, built.stderr
    wheel = next(dist.glob("controlbot-*.whl"))

    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    installed = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            str(wheel),
        ],
        tmp_path,
        dict(os.environ),
    )
    assert installed.returncode == 0, installed.stderr
    # the dependencies come from the test venv, but never the source tree or its editable hook
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            tmp_path,
            {},
        ).stdout.strip()
    )
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "CONTROLBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'w.sqlite3'}",
    }
    where = _run(
        [str(python), "-c", "import bot, locales, workflows; print(bot.__file__)"], tmp_path, env
    )
    assert where.returncode == 0, where.stderr
    assert where.stdout.strip().startswith(str(target)), where.stdout

    check = _run([str(target / "bin" / "controlbot"), "plan", "check"], tmp_path, env)
    assert check.returncode == 0, check.stderr
    assert "Parauga novada pašvaldība" in check.stdout
    assert "rādītāj" in check.stdout  # the Latvian catalogue was found and used

    upgraded = _run([str(target / "bin" / "controlbot"), "db", "upgrade"], tmp_path, env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert HEAD in upgraded.stdout
