"""Writing the audit trail: services call ``record`` for each create, import, run, cancel, export and delete."""

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from riskapp.accounts.models import AuditEvent, Organisation

logger = logging.getLogger(__name__)


def record(actor: AbstractBaseUser | None, organisation: Organisation, action: str, target: models.Model,
           summary: str) -> AuditEvent:
    """Store one audit event about ``target``; an anonymous or system actor is stored as None."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    event = AuditEvent.objects.create(
        actor=actor,
        organisation=organisation,
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        summary=summary[:500],
    )
    logger.info("Audit: %s %s %s %s in %s", actor or "system", action, event.object_type, event.object_id,
                organisation.slug)
    return event
