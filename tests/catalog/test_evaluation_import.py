"""Importing evaluation results from CSV and JSON: every row is valid, or nothing is stored."""

import datetime
import json

import pytest
from django.core.management import CommandError, call_command

from riskapp.catalog.evaluation_file import EvaluationFileError, read_evaluation_file
from riskapp.catalog.models import EvaluationResult, ModelProfile
from riskapp.catalog.services import import_evaluation_file

pytestmark = pytest.mark.django_db

CARD = "https://example.org/system-card.pdf"
HEADER = "model,benchmark,score,unit,date,source_url,framework_version,note\n"


@pytest.fixture
def profile() -> ModelProfile:
    return ModelProfile.objects.create(slug="test-model", name="Test model", developer="Example Lab",
                                       source_url=CARD)


def _csv(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode("utf-8")


def _errors(content: bytes, filename: str = "results.csv") -> list:
    with pytest.raises(EvaluationFileError) as raised:
        read_evaluation_file(content, filename)
    return raised.value.errors


def _stored():
    return EvaluationResult.objects.filter(profile__slug="test-model")


def test_csv_rows_imported(profile):
    content = _csv(f"test-model,bioweapons-acquisition-uplift-trial,2.53,ratio,2025-05-22,{CARD},"
                   "anthropic-rsp-2.2,best of two graders",
                   f"test-model,cybench,0.564,fraction,2025-05-22,{CARD},,")
    results = import_evaluation_file(content, "results.csv")
    assert len(results) == 2
    uplift = _stored().get(benchmark__slug="bioweapons-acquisition-uplift-trial")
    assert uplift.score == 2.53
    assert uplift.evaluated_on == datetime.date(2025, 5, 22)
    assert uplift.framework_version.slug == "anthropic-rsp-2.2"
    assert uplift.note == "best of two graders"
    assert uplift.entered_via == "import of results.csv"
    assert _stored().get(benchmark__slug="cybench").framework_version is None


def test_json_rows_imported(profile, django_user_model):
    user = django_user_model.objects.create_user("analyst")
    document = {"format": "riskapp-evaluations/1", "results": [
        {"model": "test-model", "benchmark": "training-compute", "score": 3e25, "unit": "flop",
         "date": "2025-08-02", "source_url": CARD},
    ]}
    [result] = import_evaluation_file(json.dumps(document).encode(), "results.json", entered_by=user)
    result.refresh_from_db()
    assert result.score == 3e25
    assert result.entered_by == user


@pytest.mark.parametrize(("line", "field", "rule"), [
    (f"test-model,no-such-benchmark,0.5,fraction,2025-05-22,{CARD},,", "benchmark", "not the slug of a benchmark"),
    (f"other-model,cybench,0.5,fraction,2025-05-22,{CARD},,", "model", "not the slug of a model profile"),
    (f"test-model,cybench,0.5,ratio,2025-05-22,{CARD},,", "unit", "must be 'fraction', the unit of benchmark cybench"),
    (f"test-model,cybench,1.2,fraction,2025-05-22,{CARD},,", "score", "at most 1, the highest valid score"),
    (f"test-model,bioweapons-acquisition-uplift-trial,-1,ratio,2025-05-22,{CARD},,", "score",
     "at least 0, the lowest valid score"),
    (f'test-model,cybench,"0,5",fraction,2025-05-22,{CARD},,', "score", "written with a decimal point"),
    (f"test-model,cybench,nan,fraction,2025-05-22,{CARD},,", "score", "finite number"),
    (f"test-model,cybench,high,fraction,2025-05-22,{CARD},,", "score", "must be a number"),
    (f"test-model,cybench,0.5,fraction,22/05/2025,{CARD},,", "date", "YYYY-MM-DD"),
    ("test-model,cybench,0.5,fraction,2025-05-22,system card,,", "source_url", "http or https URL"),
    (f"test-model,cybench,0.5,fraction,2025-05-22,{CARD},rsp-9,", "framework_version", "not the slug"),
    (f"test-model,cybench,,fraction,2025-05-22,{CARD},,", "score", "the field is required"),
])
def test_invalid_csv_row(profile, line, field, rule):
    content = _csv(f"test-model,cybench,0.5,fraction,2025-01-01,{CARD},,", line)
    errors = _errors(content)
    assert [(error.row, error.field) for error in errors] == [(2, field)]
    assert rule in errors[0].rule


def test_error_names_value(profile):
    [error] = _errors(_csv(f"test-model,cybench,1.2,fraction,2025-05-22,{CARD},,"))
    assert error.value == "1.2"
    assert str(error) == ("row 1, score: '1.2' is invalid: must be at most 1, the highest valid score of cybench")


def test_duplicate_rows_in_file(profile):
    row = f"test-model,cybench,0.5,fraction,2025-05-22,{CARD},,"
    errors = _errors(_csv(row, row.replace("0.5", "0.6")))
    assert [(error.row, error.field) for error in errors] == [(2, "row")]
    assert "duplicates row 1" in errors[0].rule


def test_duplicate_of_stored_result(profile):
    row = f"test-model,cybench,0.5,fraction,2025-05-22,{CARD},,"
    import_evaluation_file(_csv(row), "first.csv")
    errors = _errors(_csv(row))
    assert [(error.row, error.field) for error in errors] == [(1, "row")]
    assert "already stored" in errors[0].rule


def test_every_bad_row_reported(profile):
    content = _csv(f"test-model,cybench,0.5,fraction,2025-05-22,{CARD},,",
                   f"test-model,cybench,2,ratio,2025-05-23,{CARD},,",
                   f"test-model,wmdp,0.5,fraction,2025-05-23,{CARD},,")
    errors = _errors(content)
    assert [(error.row, error.field) for error in errors] == [(2, "unit"), (2, "score"), (3, "benchmark")]


def test_invalid_file_stores_nothing(profile):
    content = _csv(f"test-model,cybench,0.5,fraction,2025-05-22,{CARD},,",
                   f"test-model,cybench,0.5,fraction,2025-05-23,{CARD},,",
                   f"test-model,cybench,0.5,fraction,2025-05-23,{CARD},,")
    with pytest.raises(EvaluationFileError):
        import_evaluation_file(content, "results.csv")
    assert not _stored().exists()


def test_non_utf8_file_rejected(profile):
    content = _csv(f"test-model,cybench,0.5,fraction,2025-05-22,{CARD},,caf\u00e9").decode().encode("latin-1")
    [error] = _errors(content)
    assert (error.row, error.field, error.value) == (0, "file", "results.csv")
    assert "must be UTF-8" in error.rule


def test_unclosed_quote_rejected(profile):
    content = _csv(f"test-model,cybench,0.5,fraction,2025-05-22,{CARD},,ok",
                   f'test-model,cybench,0.6,fraction,2025-05-23,{CARD},,"never closed')
    [error] = _errors(content)
    assert (error.row, error.field, error.value) == (0, "file", "unexpected end of data")
    assert error.rule == "is not valid CSV in the record after line 2; check that every opening quote is closed"


def test_utf8_byte_order_mark_accepted(profile):
    content = b"\xef\xbb\xbf" + _csv(f"test-model,cybench,0.5,fraction,2025-05-22,{CARD},,")
    assert len(read_evaluation_file(content, "results.csv")) == 1


@pytest.mark.parametrize(("content", "field", "rule"), [
    (b"model,benchmark,score\n", "header", "the column is required"),
    ((HEADER.strip() + ",colour\n").encode(), "header", "not a known column"),
    (HEADER.encode(), "file", "no result rows"),
])
def test_invalid_csv_header(profile, content, field, rule):
    errors = _errors(content)
    assert errors[0].row == 0
    assert errors[0].field == field
    assert rule in errors[0].rule


@pytest.mark.parametrize(("document", "row", "field", "rule"), [
    ({"results": []}, 0, "file", "riskapp-evaluations/1"),
    ({"format": "riskapp-evaluations/1", "results": ["cybench"]}, 1, "row", "must be an object"),
    ({"format": "riskapp-evaluations/1", "results": [{"model": "test-model", "colour": "red"}]}, 1, "colour",
     "not a known field"),
    ({"format": "riskapp-evaluations/1", "results": [
        {"model": "test-model", "benchmark": "cybench", "score": True, "unit": "fraction", "date": "2025-05-22",
         "source_url": CARD}]}, 1, "score", "must be a number"),
])
def test_invalid_json_document(profile, document, row, field, rule):
    errors = _errors(json.dumps(document).encode(), "results.json")
    assert (errors[0].row, errors[0].field) == (row, field)
    assert rule in errors[0].rule


def test_unknown_extension_rejected(profile):
    [error] = _errors(b"", "results.xlsx")
    assert "must end in .csv or .json" in error.rule


def test_command_imports_file(profile, tmp_path, capsys):
    path = tmp_path / "results.csv"
    path.write_bytes(_csv(f"test-model,cybench,0.5,fraction,2025-05-22,{CARD},,"))
    call_command("import_evaluations", str(path))
    assert "Imported 1 evaluation result(s)" in capsys.readouterr().out
    assert _stored().count() == 1


def test_command_lists_errors(profile, tmp_path):
    path = tmp_path / "results.csv"
    path.write_bytes(_csv(f"test-model,cybench,3,fraction,2025-05-22,{CARD},,"))
    with pytest.raises(CommandError, match=r"row 1, score: '3' is invalid"):
        call_command("import_evaluations", str(path))
    assert not _stored().exists()
