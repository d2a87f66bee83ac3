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


def _sign_in_line(output: str) -> tuple[str, str]:
    words = output.splitlines()[0].split()
    return words[3], words[-1]


def test_development_user_signs_in(db, anonymous_client, settings):
    settings.DEBUG = True  # the test runner turns it off
    username, password = _sign_in_line(run("create_development_user"))

    assert username == "developer"
    assert anonymous_client.login(username=username, password=password)
    roles = dict(Membership.objects.filter(user__username="developer").values_list("organisation__slug", "role"))
    assert roles == {"demo": Role.ADMIN, "development": Role.ADMIN}


def test_development_user_private_organisation(db, settings):
    settings.DEBUG = True
    run("create_development_user")
    run("create_development_user")

    private = Organisation.objects.get(slug="development")
    assert private.name == "Development"
    assert not private.is_demo
    assert Organisation.objects.count() == 2
    assert Membership.objects.filter(user__username="developer").count() == 2
    assert list(private.memberships.values_list("user__username", flat=True)) == ["developer"]


def test_development_user_named_organisation(db, settings):
    settings.DEBUG = True
    output = run("create_development_user", "--organisation", "Frontier Safety Unit")

    membership = Membership.objects.get(user__username="developer", organisation__slug="frontier-safety-unit")
    assert membership.role == Role.ADMIN
    assert "Private organisation: Frontier Safety Unit (frontier-safety-unit)" in output


def test_development_user_rejects_demo_organisation(db, settings):
    settings.DEBUG = True

    with pytest.raises(CommandError, match="--organisation: 'Demo' is the demo organisation"):
        run("create_development_user", "--organisation", "Demo")


def test_development_user_picks_organisation(db, client, settings):
    """The import form offers both organisations, so the user can keep a scenario private."""
    settings.DEBUG = True
    username, password = _sign_in_line(run("create_development_user"))
    client.logout()
    assert client.login(username=username, password=password)

    page = client.get("/scenarios/").content.decode()

    assert '<select name="organisation"' in page
    # The private organisation is offered first, so a scenario stays private unless chosen otherwise.
    assert page.index('<option value="development"') < page.index('<option value="demo"')


def test_development_user_new_password(db, anonymous_client, settings):
    settings.DEBUG = True
    first = _sign_in_line(run("create_development_user"))[1]
    second = _sign_in_line(run("create_development_user"))[1]

    assert first != second
    assert not anonymous_client.login(username="developer", password=first)
    assert anonymous_client.login(username="developer", password=second)
    assert Membership.objects.filter(user__username="developer").count() == 2


def test_development_user_password_file_kept(db, anonymous_client, settings, tmp_path):
    settings.DEBUG = True
    path = tmp_path / "data" / "development-password"
    first = _sign_in_line(run("create_development_user", "--password-file", str(path)))[1]
    second = _sign_in_line(run("create_development_user", "--password-file", str(path)))[1]

    assert first == second
    assert path.read_text(encoding="utf-8") == first + "\n"
    assert path.stat().st_mode & 0o777 == 0o600
    assert anonymous_client.login(username="developer", password=first)


def test_development_user_password_file_unwritable(db, settings, tmp_path):
    settings.DEBUG = True
    blocker = tmp_path / "file"
    blocker.write_text("")

    with pytest.raises(CommandError, match="--password-file: .*cannot be written"):
        run("create_development_user", "--password-file", str(blocker / "password"))


def test_development_user_fails_in_production(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only with DJANGO_DEBUG=1"):
        run("create_development_user")


def test_add_member_new_role(db, django_user_model):
    run("create_organisation", "Evaluations", "alice")
    bob = django_user_model.objects.create_user("bob", password="bob-password")

    output = run("add_member", "bob", "evaluations", "analyst")

    assert Membership.objects.get(user=bob, organisation__slug="evaluations").role == Role.ANALYST
    assert "bob is now analyst of evaluations." in output
    assert "changepassword" not in output


def test_add_member_replaces_role(db):
    run("create_organisation", "Evaluations", "alice")
    run("add_member", "bob", "evaluations", "viewer")

    run("add_member", "bob", "evaluations", "Facilitator")

    memberships = Membership.objects.filter(user__username="bob")
    assert [(m.organisation.slug, m.role) for m in memberships] == [("evaluations", Role.FACILITATOR)]


def test_add_member_creates_user(db, django_user_model):
    run("create_organisation", "Evaluations", "alice")

    output = run("add_member", "carol", "evaluations", "admin")

    carol = django_user_model.objects.get(username="carol")
    assert not carol.has_usable_password()
    assert Membership.objects.get(user=carol).role == Role.ADMIN
    assert "changepassword carol" in output


def test_add_member_unknown_role(db):
    run("create_organisation", "Evaluations", "alice")

    with pytest.raises(CommandError, match="role: 'owner' is not one of viewer, analyst, facilitator, admin"):
        run("add_member", "bob", "evaluations", "owner")
    assert not Membership.objects.filter(user__username="bob").exists()


def test_add_member_unknown_organisation(db, django_user_model):
    with pytest.raises(CommandError, match="organisation: no organisation has the slug 'nowhere'"):
        run("add_member", "bob", "nowhere", "viewer")
    assert not django_user_model.objects.filter(username="bob").exists()
