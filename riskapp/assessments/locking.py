"""The run row lock under which chunks are recorded and merged."""

from riskapp.assessments.models import AssessmentRun


def lock_run(run_id: int) -> AssessmentRun | None:
    """Return the run locked for the rest of the current transaction, or None if it is gone.

    PostgreSQL takes a row lock with SELECT ... FOR UPDATE. SQLite ignores FOR UPDATE, but the
    project opens every SQLite transaction with BEGIN IMMEDIATE (``transaction_mode`` in the
    settings), which takes the database write lock at once, so transactions that record chunks
    are serialised there as well.
    """
    return AssessmentRun.objects.select_for_update().filter(pk=run_id).first()
