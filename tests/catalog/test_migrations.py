"""The bundled-framework data migration can be unapplied and applied again."""

import pytest
from django.core.management import call_command

from riskapp.catalog.models import Framework, FrameworkVersion, Measure

# Transactional, because migrate commands cannot run inside the test's transaction. Such a test
# may start with tables emptied by an earlier one, so it applies the data migration itself.
pytestmark = pytest.mark.django_db(transaction=True)


def test_migration_reverse_and_reapply():
    call_command("migrate", "catalog", "0001", verbosity=0)
    call_command("migrate", "catalog", verbosity=0)
    measures_before = Measure.objects.count()
    assert measures_before > 0

    call_command("migrate", "catalog", "0001", verbosity=0)
    assert not FrameworkVersion.objects.exists()
    assert not Framework.objects.exists()

    call_command("migrate", "catalog", verbosity=0)
    assert Measure.objects.count() == measures_before
    assert set(FrameworkVersion.objects.values_list("slug", flat=True)) == {
        "anthropic-rsp-1.0", "rand-securing-model-weights-2024",
        "anthropic-rsp-2.2", "openai-preparedness-2", "google-deepmind-fsf-3.0", "eu-ai-act-gpai-2025",
    }
