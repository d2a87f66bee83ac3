"""The create_organisation and create_development_user commands."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from riskapp.accounts.models import Membership, Organisation, Role


def run(*arguments) -> str:
    output = StringIO()
    call_command(*arguments, stdout=output)
    return output.getvalue()


def test_create_organisation_new_admin(db, django_user_model):
    output = run("create_organisation", "Frontier Safety Unit", "alice")

    organisation = Organisation.objects.get(slug="frontier-safety-unit")
    alice = django_user_model.objects.get(username="alice")
    assert Membership.objects.get(organisation=organisation).role == Role.ADMIN
    assert Membership.objects.get(organisation=organisation).user == alice
    assert not alice.has_usable_password()
    assert "changepassword alice" in output


def test_create_organisation_existing_user(db, django_user_model):
    bob = django_user_model.objects.create_user("bob", password="bob-password")

    output = run("create_organisation", "Evaluations", "bob")

    assert Membership.objects.get(user=bob).organisation.name == "Evaluations"
    assert "changepassword" not in output
    bob.refresh_from_db()
    assert bob.check_password("bob-password")


def test_create_organisation_duplicate_name(db):
    run("create_organisation", "Evaluations", "bob")

    with pytest.raises(CommandError, match="'Evaluations' or its slug is already used"):
        run("create_organisation", "Evaluations", "carol")


def test_create_organisation_name_without_slug(db):
    with pytest.raises(CommandError, match="name: '!!!' has no letter or digit"):
        run("create_organisation", "!!!", "carol")


def test_development_user_signs_in(db, anonymous_client, settings):
    settings.DEBUG = True  # the test runner turns it off
    output = run("create_development_user")

    username, password = output.split()[3], output.split()[-1]
    assert username == "developer"
    assert anonymous_client.login(username=username, password=password)
    membership = Membership.objects.get(user__username="developer")
    assert (membership.organisation.slug, membership.role) == ("demo", Role.ADMIN)


def test_development_user_new_password(db, anonymous_client, settings):
    settings.DEBUG = True
    first = run("create_development_user").split()[-1]
    second = run("create_development_user").split()[-1]

    assert first != second
    assert not anonymous_client.login(username="developer", password=first)
    assert anonymous_client.login(username="developer", password=second)
    assert Membership.objects.filter(user__username="developer").count() == 1


def test_development_user_fails_in_production(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only with DJANGO_DEBUG=1"):
        run("create_development_user")
