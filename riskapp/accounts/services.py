"""Writes of organisations and memberships."""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.text import slugify

from riskapp.accounts.models import Membership, Organisation, Role

logger = logging.getLogger(__name__)


def create_organisation(name: str, *, admin: AbstractBaseUser) -> Organisation:
    """Create an organisation with ``admin`` as its first admin member."""
    slug = slugify(name)[:80]
    if not slug:
        raise ValueError(f"name: {name!r} has no letter or digit to build the organisation's slug from")
    with transaction.atomic():
        organisation = Organisation.objects.create(name=name, slug=slug)
        Membership.objects.create(user=admin, organisation=organisation, role=Role.ADMIN)
    logger.info("Created organisation %s with admin %s", slug, admin.get_username())
    return organisation


def set_membership(user: AbstractBaseUser, organisation: Organisation, role: int) -> Membership:
    """Give ``user`` the ``role`` in ``organisation``, replacing any role they held there."""
    membership, _created = Membership.objects.update_or_create(user=user, organisation=organisation,
                                                               defaults={"role": role})
    return membership


def get_or_create_user(username: str) -> tuple[AbstractBaseUser, bool]:
    """Return the user named ``username``; a new one has an unusable password until one is set."""
    model = get_user_model()
    user = model.objects.filter(**{model.USERNAME_FIELD: username}).first()
    if user is not None:
        return user, False
    user = model(**{model.USERNAME_FIELD: username})
    user.set_unusable_password()
    user.save()
    return user, True
