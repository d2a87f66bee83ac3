"""The experts' pages: join with a code, answer the open round, see the revealed spread, leave.

Experts have no account, so these views are exempt from sign-in. A participant is the holder of
a secret token kept in their session under the workshop's code; the URLs carry only the join
code, never a participant id. Without the workshop's own token a page or its data gives 404.
"""

import plotly
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from riskapp.workshops import dashboard, selectors, services
from riskapp.workshops.forms import AnswerForm, JoinForm
from riskapp.workshops.models import Participant, Workshop

SESSION_KEY = "workshop_tokens"
# A browser keeps the tokens of at most this many workshops; joining another drops the oldest.
MAX_SESSION_WORKSHOPS = 20


def _session_token(request: HttpRequest, workshop: Workshop) -> str | None:
    return (request.session.get(SESSION_KEY) or {}).get(workshop.code)


def _store_token(request: HttpRequest, workshop: Workshop, token: str) -> None:
    tokens = dict(request.session.get(SESSION_KEY) or {})
    tokens.pop(workshop.code, None)
    tokens[workshop.code] = token
    while len(tokens) > MAX_SESSION_WORKSHOPS:
        tokens.pop(next(iter(tokens)))
    request.session[SESSION_KEY] = tokens


def _participant_or_404(request: HttpRequest, code: str) -> tuple[Workshop, Participant]:
    workshop = selectors.workshop_by_code(code)
    participant = selectors.participant_by_token(workshop, _session_token(request, workshop))
    if participant is None:
        raise Http404(_("You have not joined this workshop in this browser."))
    return workshop, participant


@login_not_required
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST or request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("workshops:join_code", code=form.cleaned_data["code"])
    return render(request, "workshops/join.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def join_code(request: HttpRequest, code: str) -> HttpResponse:
    try:
        workshop = selectors.workshop_by_code(code)
    except Http404:
        form = JoinForm(initial={"code": code})
        form.errors["code"] = form.error_class([_("No workshop has the code “%(code)s”.") % {"code": code}])
        return render(request, "workshops/join.html", {"form": form}, status=404)
    if selectors.participant_by_token(workshop, _session_token(request, workshop)) is not None:
        return redirect("workshops:participant", code=workshop.code)
    if request.method == "POST":
        try:
            participant, token = services.join_workshop(workshop)
        except services.WorkshopError as error:
            messages.error(request, str(error))
        else:
            _store_token(request, workshop, token)
            messages.success(request, _("You joined as %(label)s. Other participants see only this label.")
                             % {"label": participant.label})
            return redirect("workshops:participant", code=workshop.code)
    return render(request, "workshops/join_confirm.html", {"workshop": workshop})


@login_not_required
@require_http_methods(["GET", "POST"])
def participant_page(request: HttpRequest, code: str) -> HttpResponse:
    workshop = selectors.workshop_by_code(code)
    participant = selectors.participant_by_token(workshop, _session_token(request, workshop))
    if participant is None:
        return render(request, "workshops/not_joined.html", {"workshop": workshop}, status=404)

    questions = list(workshop.questions.order_by("position"))
    current = selectors.current_round(workshop)
    status = 200
    form = None
    if current is not None and current.is_open and not participant.has_left:
        data = request.POST if request.method == "POST" else None
        form = AnswerForm(data, questions=questions, initial=_initial(current, participant))
    if request.method == "POST":
        if form is None:
            messages.error(request, _refusal(current, participant))
            return redirect("workshops:participant", code=workshop.code)
        if form.is_valid():
            try:
                stored = services.submit_judgements(participant, form.cleaned_data["answers"])
            except services.WorkshopError as error:
                _add_problems(form, error.problems)
            else:
                messages.success(request, ngettext(
                    "Stored %(count)d answer for round %(number)d. You may change it until the round closes.",
                    "Stored %(count)d answers for round %(number)d. You may change them until the round closes.",
                    len(stored)) % {"count": len(stored), "number": current.number})
                return redirect("workshops:participant", code=workshop.code)
        else:
            # The answers that passed the form still get the round's rules, so that one submission
            # shows the problems of every question.
            _add_problems(form, services.check_answers(participant, form.cleaned_data.get("answers", {})))
        status = 400

    revealed = selectors.last_revealed_round(workshop)
    context = {
        "workshop": workshop,
        "participant": participant,
        "current": current,
        "form": form,
        "question_fields": [(question, form.bound_fields(question)) for question in questions] if form else [],
        "own_answers": _own_answers(current, participant, questions) if current is not None else [],
        "refusal": _refusal(current, participant) if form is None else "",
        "spread": dashboard.revealed_data(revealed, questions, with_labels=False, own=participant)
        if revealed else None,
        "data": dashboard.participant_data(workshop, participant),
        "data_url": reverse("workshops:participant_data", args=[workshop.code]),
        "plotly_version": plotly.__version__,
    }
    return render(request, "workshops/participant.html", context, status=status)


def _add_problems(form: AnswerForm, problems: list[services.WorkshopError]) -> None:
    for problem in problems:
        form.add_error(problem.form_field if problem.form_field in form.fields else None, str(problem))


def _refusal(current, participant: Participant) -> str:
    if participant.has_left:
        return _("You have left this workshop; your answers are kept, and you cannot answer again.")
    if current is None:
        return _("The facilitator has not opened the first round yet. This page updates by itself.")
    if current.state == current.State.CLOSED:
        return _("Round %(number)d is closed, so answers are no longer accepted. Wait for the facilitator to "
                 "reveal it.") % {"number": current.number}
    return _("Round %(number)d is revealed, so answers are no longer accepted. Wait for the next round.") \
        % {"number": current.number}


def _initial(current, participant: Participant) -> dict:
    """Prefill the form with the participant's answers of the open round, confidence in percent."""
    initial = {}
    for judgement in current.judgements.filter(participant=participant):
        prefix = f"q{judgement.question_id}-"
        for name in ("likelihood", "consequence", "value", "low", "high", "best"):
            if getattr(judgement, name) is not None:
                initial[prefix + name] = _plain_number(getattr(judgement, name))
        if judgement.confidence is not None:
            initial[prefix + "confidence"] = _plain_number(round(judgement.confidence * 100, 10))
        initial[prefix + "rationale"] = judgement.rationale
    return initial


def _plain_number(value: float | int) -> float | int:
    """Return an integral float as an int, so that a form shows 80 rather than 80.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _own_answers(current, participant: Participant, questions) -> list[tuple]:
    """Return each question with the participant's answer in the round as text, or None when unanswered."""
    judgements = {j.question_id: j for j in current.judgements.filter(participant=participant)}
    return [(question, _answer_text(question, judgements[question.pk]) if question.pk in judgements else None)
            for question in questions]


def _answer_text(question, judgement) -> str:
    """Write an answer with numbers in the short general format, so that 0.35 shows as 0.35."""
    number = services.number_text
    if question.kind == question.Kind.MATRIX_CELL:
        return f"{question.options['likelihood'][judgement.likelihood]} / " \
               f"{question.options['consequence'][judgement.consequence]}"
    if question.kind == question.Kind.PROBABILITY:
        return number(judgement.value)
    return _("[%(low)s, %(high)s], best guess %(best)s, %(confidence)s%%") % {
        "low": number(judgement.low), "high": number(judgement.high), "best": number(judgement.best),
        "confidence": number(round(judgement.confidence * 100, 10))}


@login_not_required
@require_GET
def participant_data(request: HttpRequest, code: str) -> JsonResponse:
    workshop, participant = _participant_or_404(request, code)
    return JsonResponse(dashboard.participant_data(workshop, participant))


@login_not_required
@require_POST
def leave(request: HttpRequest, code: str) -> HttpResponse:
    workshop, participant = _participant_or_404(request, code)
    services.leave_workshop(participant)
    messages.info(request, _("You left the workshop. Your submitted answers are kept."))
    return redirect("workshops:participant", code=workshop.code)
