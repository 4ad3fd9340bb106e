from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PromisesConfig(AppConfig):
    default = True  # the module also holds AxesConfig: "promises" in INSTALLED_APPS means this one
    name = "promises"
    verbose_name = _("Citizen promises")

    def ready(self) -> None:
        from promises import audit, checks  # noqa: F401 (checks registers itself)

        post_migrate.connect(_sync_roles_after_last_app, dispatch_uid="promises_roles_sync")
        audit.connect_axes()


def _sync_roles_after_last_app(sender, app_config, **kwargs) -> None:
    # post_migrate is sent once per app; only after the last one do all permissions exist.
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if app_config is last:
        from promises.municipalities import municipalities_sync
        from promises.roles import roles_sync

        roles_sync()
        municipalities_sync()


class AxesConfig(AxesAppConfig):
    """django-axes under a Swedish name in the admin (its own strings: medborgarlofte/third_party_strings.py)."""

    verbose_name = _("Login lockout")
