"""A worker bootstep that reports the worker alive and runs the reaper on a timer.

Every worker does both, so neither depends on a separate beat process: the page can tell
when no worker is running, and chunks abandoned by a dead worker are re-enqueued as long as
any worker is alive.
"""

import logging

from celery import bootsteps

logger = logging.getLogger(__name__)


class HousekeepingStep(bootsteps.StartStopStep):
    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs) -> None:
        super().__init__(worker, **kwargs)
        self.timers: list = []

    def start(self, worker) -> None:
        from django.conf import settings

        self.hostname = worker.hostname
        self.timers = [
            worker.timer.call_repeatedly(settings.RISKAPP_WORKER_HEARTBEAT_SECONDS, self.beat),
            worker.timer.call_repeatedly(settings.RISKAPP_REAPER_INTERVAL_SECONDS, self.reap),
        ]

    def stop(self, worker) -> None:
        for timer in self.timers:
            timer.cancel()
        self.timers = []

    def beat(self) -> None:
        from riskapp.assessments.services import record_heartbeat

        try:
            record_heartbeat(self.hostname)
        except Exception:  # noqa: BLE001 - a missed heartbeat must not stop the worker
            logger.exception("Could not record the heartbeat of worker %s", self.hostname)

    def reap(self) -> None:
        from riskapp.assessments.sensitivity import reap_analyses
        from riskapp.assessments.services import reap_expired_work

        try:
            summary = reap_expired_work()
            reap_analyses()
        except Exception:  # noqa: BLE001 - the next tick tries again
            logger.exception("The reaper failed on worker %s", self.hostname)
            return
        if summary["failed"] or summary["requeued"]:
            logger.warning("Reaper on %s: %s", self.hostname, summary)
