"""scripts/run.sh up to the start of the servers: data folder and development user."""

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.workers import PROJECT

pytestmark = pytest.mark.slow


def _checkout(tmp_path: Path) -> Path:
    """Copy run.sh into a checkout without var/ that shares the project's code and .venv.

    bootstrap.sh is replaced by a script that does nothing, so the test never installs packages.
    """
    checkout = tmp_path / "checkout"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy2(PROJECT / "scripts" / "run.sh", checkout / "scripts" / "run.sh")
    (checkout / "scripts" / "bootstrap.sh").write_text("#!/usr/bin/env bash\n")
    (checkout / "scripts" / "bootstrap.sh").chmod(0o755)
    shutil.copy2(PROJECT / "manage.py", checkout / "manage.py")
    (checkout / "riskapp").symlink_to(PROJECT / "riskapp")
    (checkout / ".venv").symlink_to(Path(sys.executable).parent.parent)
    return checkout


def _run_until_port_check(checkout: Path, data_dir: Path, port: int) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_SETTINGS")}
    environment.update(RISKAPP_DATA_DIR=str(data_dir), PORT=str(port), DJANGO_DEBUG="1")
    for name in ("DATABASE_URL", "CELERY_BROKER_URL"):
        environment.pop(name, None)
    return subprocess.run(["bash", str(checkout / "scripts" / "run.sh")], cwd=checkout, env=environment,
                          capture_output=True, text=True, timeout=300, check=False)


def test_run_script_uses_data_dir(tmp_path):
    checkout = _checkout(tmp_path)
    data_dir = tmp_path / "data"
    # A port in use stops the script after the database and the user are ready, before any server starts.
    with socket.socket() as occupied:
        occupied.bind(("127.0.0.1", 0))
        occupied.listen()
        port = occupied.getsockname()[1]
        first = _run_until_port_check(checkout, data_dir, port)
        first_password = (data_dir / "development-password").read_text(encoding="utf-8")
        second = _run_until_port_check(checkout, data_dir, port)

    assert first.returncode == 1, first.stderr
    assert f"Port {port} on 127.0.0.1 is already in use" in first.stderr
    assert not (checkout / "var").exists()
    assert (data_dir / "riskapp.sqlite3").is_file()
    assert first_password.strip()
    assert "Loaded demo scenario weight-theft-by-operational-capacity revision 1" in first.stderr
    assert second.returncode == 1, second.stderr
    assert "Loaded demo scenario" not in second.stderr
    assert (data_dir / "development-password").read_text(encoding="utf-8") == first_password
    assert not (checkout / "var").exists()
