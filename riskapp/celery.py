"""The Celery application: one per process, configured from Django's settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "riskapp.settings")

app = Celery("riskapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _add_worker_steps() -> None:
    from riskapp.assessments.worker import HousekeepingStep

    app.steps["worker"].add(HousekeepingStep)


_add_worker_steps()
