from django import forms
from django.utils.translation import gettext_lazy as _

# Files of results are small tables; the limit keeps the preview's hidden copy of the file small too.
MAX_EVALUATION_FILE_BYTES = 1_000_000


class EvaluationUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File of evaluation results"),
        help_text=_("CSV with the header model,benchmark,score,unit,date,source_url[,framework_version,note], "
                    "or JSON {\"format\": \"riskapp-evaluations/1\", \"results\": [...]}. UTF-8, at most 1 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_EVALUATION_FILE_BYTES:
            raise forms.ValidationError(_("The file has %(size)d bytes; at most %(limit)d are allowed."),
                                        params={"size": upload.size, "limit": MAX_EVALUATION_FILE_BYTES})
        return upload


class EvaluationConfirmForm(forms.Form):
    """The previewed file, sent back unchanged so that the import stores exactly what was shown."""

    content = forms.CharField(widget=forms.HiddenInput)
    filename = forms.CharField(widget=forms.HiddenInput, max_length=255)
