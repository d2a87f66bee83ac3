import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from riskapp.catalog.models import (
    DangerousCapability,
    Framework,
    FrameworkVersion,
    Measure,
    SafetyLevel,
    ThreatActorTier,
)

pytestmark = pytest.mark.django_db

MODELS = (Framework, FrameworkVersion, SafetyLevel, DangerousCapability, Measure, ThreatActorTier)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_admin_pages_render(admin_client, model):
    name = model._meta.model_name
    changelist = admin_client.get(reverse(f"admin:catalog_{name}_changelist"))
    change = admin_client.get(reverse(f"admin:catalog_{name}_change", args=[model.objects.first().pk]))
    assert changelist.status_code == 200
    assert change.status_code == 200


def test_admin_measure_shows_id(admin_client):
    measure = Measure.objects.get(code="asl3-containment-weight-security")
    response = admin_client.get(reverse("admin:catalog_measure_change", args=[measure.pk]))
    assert "anthropic-rsp-1.0:asl3-containment-weight-security" in response.content.decode()


def test_admin_requires_staff(client):
    response = client.get(reverse("admin:catalog_measure_changelist"))
    assert response.status_code == 302


def test_measure_level_from_other_version_rejected():
    measure = Measure.objects.get(code="asl3-containment-weight-security")
    measure.level = SafetyLevel.objects.get(code="SL3")
    with pytest.raises(ValidationError, match="must belong to the measure's framework version"):
        measure.clean()
