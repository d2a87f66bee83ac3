"""The read-only admin pages of workshops."""

import pytest
from django.urls import reverse

from riskapp.workshops import services
from riskapp.workshops.models import Judgement, Participant, Pooling, Round, Workshop
from riskapp.workshops.services import Answer

pytestmark = pytest.mark.django_db

MODELS = (Workshop, Round, Participant, Judgement, Pooling)


@pytest.fixture
def pooled(workshop, questions):
    expert, _token = services.join_workshop(workshop)
    round_ = services.open_round(workshop)
    services.submit_judgements(expert, {questions["row"].pk: Answer(value=0.3)})
    services.close_round(round_)
    return services.pool_round(round_, method=Pooling.Method.EQUAL_LINEAR)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_admin_pages_render_read_only(admin_client, pooled, model):
    name = model._meta.model_name
    changelist = admin_client.get(reverse(f"admin:workshops_{name}_changelist"))
    change = admin_client.get(reverse(f"admin:workshops_{name}_change", args=[model.objects.first().pk]))
    assert changelist.status_code == 200
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert admin_client.get(reverse(f"admin:workshops_{name}_add")).status_code == 403


def test_admin_hides_token_digest(admin_client, pooled):
    participant = Participant.objects.get()
    page = admin_client.get(reverse("admin:workshops_participant_change", args=[participant.pk])).content.decode()
    assert participant.token_digest not in page
