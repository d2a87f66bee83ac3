"""The configured size limits, as the scenario format's ``Limits``."""

from django.conf import settings

from riskapp.scenarios.format import Limits


def configured_limits() -> Limits:
    limits = settings.RISKAPP_LIMITS
    return Limits(
        max_file_bytes=limits["max_file_bytes"],
        max_defenses=limits["max_defenses"],
        max_attacks=limits["max_attacks"],
        max_outcomes=limits["max_outcomes"],
    )
