"""Forms of workshops: opening one, answering a round, pooling, applying a pooling."""

import math

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from riskapp.workshops.models import CODE_LENGTH, Participant, Pooling, Question
from riskapp.workshops.selectors import QuestionChoice
from riskapp.workshops.services import MAX_MAGNITUDE, MAX_RATIONALE_CHARS, Answer, interval_problems

ANY_STEP = {"step": "any"}


class WorkshopForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    instructions = forms.CharField(
        label=gettext_lazy("Instructions for the experts"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}))
    questions = forms.MultipleChoiceField(
        label=gettext_lazy("Questions"), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one question.")})

    def __init__(self, *args, choices: list[QuestionChoice], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questions"].choices = [(choice.key, choice.text) for choice in choices]
        self.question_kinds = {choice.key: choice.kind for choice in choices}


class JoinForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Workshop code"), max_length=CODE_LENGTH + 8,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).upper()


class NumberField(forms.FloatField):
    """A float field that rejects NaN and infinities and quotes the value it rejects."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.NumberInput(attrs=ANY_STEP))
        super().__init__(**kwargs)

    def to_python(self, value):
        try:
            number = super().to_python(value)
        except forms.ValidationError as error:
            raise forms.ValidationError(_("“%(value)s” is not a number."), code="invalid",
                                        params={"value": value}) from error
        if number is not None and (not math.isfinite(number) or abs(number) > MAX_MAGNITUDE):
            raise forms.ValidationError(_("“%(value)s” is not a finite number of magnitude at most %(limit)g."),
                                        code="invalid", params={"value": value, "limit": MAX_MAGNITUDE})
        return number


class AnswerForm(forms.Form):
    """The answers of one participant to every question of a workshop; a question left blank is skipped.

    Field names are ``q<question id>-<part>``. Interval questions ask the lowest and highest
    plausible values before the best guess, to reduce anchoring on a first number.
    """

    def __init__(self, *args, questions: list[Question], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            prefix = f"q{question.pk}-"
            if question.kind == Question.Kind.MATRIX_CELL:
                for axis, label in (("likelihood", _("Likelihood")), ("consequence", _("Consequence"))):
                    bands = [("", "—")] + [(str(index), band) for index, band in enumerate(question.options[axis])]
                    self.fields[prefix + axis] = forms.TypedChoiceField(
                        label=label, choices=bands, coerce=int, required=False, empty_value=None)
            elif question.kind == Question.Kind.PROBABILITY:
                self.fields[prefix + "value"] = NumberField(
                    label=_("Probability (0 to 1)"), widget=forms.NumberInput(attrs={**ANY_STEP, "min": 0, "max": 1}))
            else:
                self.fields[prefix + "low"] = NumberField(label=_("Lowest plausible value"))
                self.fields[prefix + "high"] = NumberField(label=_("Highest plausible value"))
                self.fields[prefix + "best"] = NumberField(label=_("Best guess"))
                self.fields[prefix + "confidence"] = NumberField(
                    label=_("Confidence that the true value lies between your lowest and highest values (%)"),
                    widget=forms.NumberInput(attrs={**ANY_STEP, "min": 1, "max": 100}))
            self.fields[prefix + "rationale"] = forms.CharField(
                label=_("Rationale"), required=False, max_length=MAX_RATIONALE_CHARS,
                widget=forms.Textarea(attrs={"rows": 2}))

    def parts(self, question: Question) -> list[str]:
        if question.kind == Question.Kind.MATRIX_CELL:
            return ["likelihood", "consequence"]
        if question.kind == Question.Kind.PROBABILITY:
            return ["value"]
        return ["low", "high", "best", "confidence"]

    def bound_fields(self, question: Question) -> list[forms.BoundField]:
        return [self[f"q{question.pk}-{part}"] for part in [*self.parts(question), "rationale"]]

    def clean(self):
        cleaned = super().clean()
        self._name_fields_in_errors()
        answers: dict[int, Answer] = {}
        for question in self.questions:
            prefix = f"q{question.pk}-"
            values = {part: cleaned.get(prefix + part) for part in self.parts(question)}
            if any(prefix + part in self.errors for part in self.parts(question)):
                continue
            given = [part for part, value in values.items() if value is not None]
            if not given:
                continue
            missing = [part for part, value in values.items() if value is None]
            if missing:
                for part in missing:
                    self.add_error(prefix + part, _("Q%(position)d.%(part)s: empty; fill in every part of this "
                                                    "answer, or none to skip the question.")
                                   % {"position": question.position, "part": part})
                continue
            if question.kind == Question.Kind.INTERVAL:
                percent = values["confidence"]
                if not 0 < percent <= 100:
                    self.add_error(prefix + "confidence", _("Q%(position)d.confidence: %(value)s%% lies outside "
                                                            "(0, 100]; give a percentage above 0 and at most 100.")
                                   % {"position": question.position, "value": _plain(percent)})
                    # The other parts are checked now too, so that one submission names every problem.
                    for problem in interval_problems(question, values["low"], values["best"], values["high"]):
                        self.add_error(problem.form_field, str(problem))
                    continue
                values["confidence"] = percent / 100
            answers[question.pk] = Answer(**values, rationale=cleaned.get(prefix + "rationale") or "")
        if not answers and not self.errors:
            raise forms.ValidationError(_("Answer at least one question."))
        cleaned["answers"] = answers
        return cleaned

    def _name_fields_in_errors(self) -> None:
        """Start each field's own error with the field's path, such as "Q2.value: ", as the services' errors do."""
        for question in self.questions:
            for part in [*self.parts(question), "rationale"]:
                name = f"q{question.pk}-{part}"
                if name in self._errors:
                    self._errors[name] = self.error_class(
                        [f"Q{question.position}.{part}: {message}" for message in self._errors[name]],
                        renderer=self.renderer)


def _plain(number: float) -> str:
    return f"{number:.6g}"


class WeightField(NumberField):
    """An expert's weight in the weighted linear pool; its errors name the weight's path, the value and the rule."""

    def __init__(self, *, label_of_expert: str, **kwargs) -> None:
        self.path = f"weights.{label_of_expert}"
        super().__init__(**kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            raise forms.ValidationError(
                _("%(path)s: “%(value)s” is not a number; a weight is a finite number of at least 0."),
                code="invalid", params={"path": self.path, "value": value}) from error

    def validate(self, value) -> None:
        super().validate(value)
        if value is not None and value < 0:
            raise forms.ValidationError(_("%(path)s: %(value)s is negative; a weight must be at least 0."),
                                        code="min_value", params={"path": self.path, "value": _plain(value)})


class PoolingForm(forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=Pooling.Method.choices,
                               initial=Pooling.Method.EQUAL_LINEAR, widget=forms.RadioSelect)

    def __init__(self, *args, participants: list[Participant], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.labels = [participant.label for participant in participants]
        for label in self.labels:
            self.fields[f"weight-{label}"] = WeightField(
                label_of_expert=label, label=_("Weight of %(label)s") % {"label": label},
                widget=forms.NumberInput(attrs={**ANY_STEP, "min": 0}),
                help_text=_("Used by the weighted linear pool only; weights are normalised to sum to 1."))

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[f"weight-{label}"] for label in self.labels]

    def weights(self) -> dict[str, float] | None:
        if self.cleaned_data["method"] != Pooling.Method.WEIGHTED_LINEAR:
            return None
        return {label: self.cleaned_data[f"weight-{label}"] for label in self.labels
                if self.cleaned_data.get(f"weight-{label}") is not None}


class ApplyPoolingForm(forms.Form):
    base_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
