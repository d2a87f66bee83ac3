from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from riskapp.assessments.services import MIN_SAMPLES, SEED_LIMIT, AssessmentRequest


class WholeNumberField(forms.IntegerField):
    """An integer field whose error messages quote the value that was entered."""

    default_error_messages = {
        "invalid": _("Enter a whole number; “%(value)s” is not one."),
        "min_value": _("Enter at least %(limit_value)s; got %(show_value)s."),
        "max_value": _("Enter at most %(limit_value)s; got %(show_value)s."),
    }

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid",
                                        params={"value": value}) from error

ENGINE_CHOICES = [
    ("risk_matrix", _("Risk matrix")),
    ("game", _("Game-theoretic solver")),
    ("ara", _("Adversarial Risk Analysis (Monte Carlo)")),
]


class AssessmentForm(forms.Form):
    engines = forms.MultipleChoiceField(
        label=_("Engines"), choices=ENGINE_CHOICES, initial=[name for name, _label in ENGINE_CHOICES],
        widget=forms.CheckboxSelectMultiple,
    )
    samples = WholeNumberField(
        label=_("ARA draws"), initial=10_000, min_value=MIN_SAMPLES,
        help_text=_("Number of attacker draws; the standard error shrinks with its square root."),
    )
    seed = WholeNumberField(
        label=_("Seed"), required=False, min_value=0, max_value=SEED_LIMIT - 1,
        help_text=_("Leave empty for a new random seed. The same seed gives the same numbers."),
    )
    target_standard_error = forms.FloatField(
        label=_("Target standard error"), required=False, widget=forms.NumberInput(attrs={"step": "any"}),
        error_messages={"invalid": _("Enter a number such as 0.5.")},
        help_text=_("Optional. Keep drawing in chunks until every expected utility has this standard error, "
                    "up to the number of draws above."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The limit is read per form so that a changed setting applies without a restart of tests.
        limit = settings.RISKAPP_LIMITS["max_samples"]
        self.fields["samples"].validators.append(MaxValueValidator(limit))
        self.fields["samples"].widget.attrs["max"] = limit

    def clean_target_standard_error(self):
        value = self.cleaned_data.get("target_standard_error")
        if value is not None and not value > 0:
            raise forms.ValidationError(_("The target standard error must be positive; got %(value)s."),
                                        params={"value": value})
        return value

    def to_request(self) -> AssessmentRequest:
        data = self.cleaned_data
        return AssessmentRequest(engines=tuple(data["engines"]), samples=data["samples"], seed=data["seed"],
                                 target_standard_error=data["target_standard_error"])


class SensitivityForm(forms.Form):
    samples = WholeNumberField(
        label=_("ARA draws per evaluation"), initial=2_000, min_value=100, max_value=20_000,
        help_text=_("Each input needs a few dozen ARA runs of this many draws, all with the assessment's seed."),
    )
