"""Signing in and out with Django's authentication views."""

from django.urls import reverse

from riskapp.accounts.models import Membership, Role, demo_organisation


def test_sign_in_redirects_to_next(anonymous_client, django_user_model, db):
    django_user_model.objects.create_user("dana", password="dana-password")

    response = anonymous_client.post(reverse("accounts:login"), {
        "username": "dana", "password": "dana-password", "next": reverse("catalog:index"),
    })

    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:index")


def test_sign_in_wrong_password(anonymous_client, django_user_model, db):
    django_user_model.objects.create_user("dana", password="dana-password")

    response = anonymous_client.post(reverse("accounts:login"), {"username": "dana", "password": "wrong"})

    assert response.status_code == 200
    assert "The user name or password is incorrect." in response.content.decode()


def test_sign_out_needs_sign_in_again(anonymous_client, django_user_model, db):
    user = django_user_model.objects.create_user("dana", password="dana-password")
    anonymous_client.force_login(user)

    signed_out = anonymous_client.post(reverse("accounts:logout"))
    after = anonymous_client.get(reverse("scenarios:list"))

    assert signed_out.status_code == 302
    assert after.status_code == 302
    assert after["Location"].startswith(reverse("accounts:login"))


def test_browser_sign_in_form(live_server, browser, example_revision, django_user_model):
    user = django_user_model.objects.create_user("erin", password="erin-password")
    Membership.objects.create(user=user, organisation=demo_organisation(), role=Role.VIEWER)
    context = browser.new_context(locale="en")
    page = context.new_page()

    page.goto(live_server.url + example_revision.scenario.get_absolute_url())
    page.fill("input[name=username]", "erin")
    page.fill("input[name=password]", "erin-password")
    page.click("main button[type=submit]")

    assert page.locator("h1").inner_text() == example_revision.scenario.title
    assert "Signed in as erin" in page.locator("header").inner_text()
    context.close()
