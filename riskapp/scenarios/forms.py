from django import forms
from django.utils.translation import gettext_lazy as _


class ScenarioUploadForm(forms.Form):
    file = forms.FileField(label=_("Scenario file"),
                           help_text=_("A riskapp-scenario/1 file in JSON (.json) or YAML (.yaml, .yml)."))
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))
