"""The login form: Django's, with its fields marked invalid when the login fails."""

from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """A refused login is an error of the whole form ("wrong user name or password"), which
    Django does not tie to a field: both fields are marked invalid and described by the error
    summary, so a screen reader says why. A field with its own error (left empty) keeps
    Django's marking, described by its own message."""

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # BaseForm._post_clean is missing from django-stubs
        if self.errors:  # within full_clean: the errors found so far, no second clean
            # The focus goes to the error summary (static/js/form-errors.js), not the first field.
            self.fields["username"].widget.attrs.pop("autofocus", None)
        if not self.errors or "__all__" not in self.errors:
            return
        for name in ("username", "password"):
            if name not in self.errors:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = "error-summary"
