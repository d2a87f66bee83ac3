"""Logging filters for the technical log."""

import logging

from django.core.exceptions import PermissionDenied


class PermissionDeniedWithoutTraceback(logging.Filter):
    """Reduce a denied request (403) to one warning line that gives the reason and no traceback.

    Django 5.2 logs every PermissionDenied on ``django.request`` with the exception's traceback,
    although a denial is an expected outcome of an access check. Other records pass unchanged, so errors
    keep their tracebacks.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc_info = record.exc_info
        if getattr(record, "status_code", None) == 403 and exc_info and isinstance(exc_info[1], PermissionDenied):
            reason = str(exc_info[1])
            record.exc_info = None
            record.exc_text = None
            if reason:
                record.msg = f"{record.msg}: %s"
                record.args = (*record.args, reason)
        return True
