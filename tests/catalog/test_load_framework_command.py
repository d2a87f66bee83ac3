import pytest
import yaml
from django.core.management import CommandError, call_command

from riskapp.catalog.models import SafetyLevel
from riskapp.catalog.services import DATA_DIR

pytestmark = pytest.mark.django_db


def test_command_reports_counts(capsys):
    call_command("load_framework", str(DATA_DIR / "anthropic-rsp-1.0.yaml"))
    output = capsys.readouterr().out
    assert "anthropic-rsp-1.0: 0 created, 0 updated, 0 deleted" in output


def test_command_rejects_invalid_file(tmp_path):
    data = yaml.safe_load((DATA_DIR / "anthropic-rsp-1.0.yaml").read_text(encoding="utf-8"))
    data["levels"][1]["name"] = "Changed"
    data["levels"][1]["order"] = "second"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")

    with pytest.raises(CommandError, match=r"levels\[1\]\.order: 'second' is invalid"):
        call_command("load_framework", str(path))
    assert SafetyLevel.objects.get(version__slug="anthropic-rsp-1.0", code="ASL-2").name != "Changed"


def test_command_missing_file(tmp_path):
    with pytest.raises(CommandError, match="File not found"):
        call_command("load_framework", str(tmp_path / "absent.yaml"))


def test_command_verbose_lists_changes(tmp_path, capsys):
    data = yaml.safe_load((DATA_DIR / "anthropic-rsp-1.0.yaml").read_text(encoding="utf-8"))
    data["levels"][1]["name"] = "Early signs only"
    path = tmp_path / "renamed.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    level = SafetyLevel.objects.get(version__slug="anthropic-rsp-1.0", code="ASL-2")

    call_command("load_framework", str(path), verbosity=2)

    output = capsys.readouterr().out
    assert "0 created, 1 updated, 0 deleted" in output
    assert f"  updated SafetyLevel {level.pk}" in output
