"""Forms for verifiers: naming a new API token, and uploading a CSV of codes."""

from django import forms

from verification.csvcodes import MAX_BYTES, MAX_ROWS, CodesFile, CsvProblem, read_codes_csv


class TokenForm(forms.Form):
    """A name for a new API token."""

    name = forms.CharField(
        max_length=100,
        label="Token name",
        help_text="What it's for, so you can tell your tokens apart later. For example: HR system.",
    )


class BulkUploadForm(forms.Form):
    """A CSV file of verification codes, read and checked for problems before any lookup happens."""

    file = forms.FileField(
        label="CSV file of codes",
        help_text=(
            f"One verification code per row, in the first column or a column headed “code”. Other columns, such as "
            f"your own reference for each person, are kept in the results. Up to {MAX_ROWS:,} rows and 2 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,.txt,text/plain"}),
    )

    upload: CodesFile | None = None

    def clean_file(self):
        """Read the file now, so any problem with it is shown on the form with what to do about it."""
        uploaded = self.cleaned_data["file"]
        if uploaded.size > MAX_BYTES:
            raise forms.ValidationError(
                f"This file is {uploaded.size / 1024 / 1024:.1f} MB. Please upload 2 MB or less at a time, "
                "splitting a longer list into several files."
            )
        uploaded.seek(0)
        try:
            self.upload = read_codes_csv(uploaded.read(MAX_BYTES + 1))
        except CsvProblem as problem:
            raise forms.ValidationError(problem.message) from None
        return uploaded
