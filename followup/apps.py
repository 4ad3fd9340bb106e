from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = _("Follow-up")

    def ready(self) -> None:
        # A publication, or a promise saved (made public, renamed, loaded), gives the public
        # pages a new stamp: their kept copies and ETags are left behind (followup/public_cache.py).
        # Entries never save the promise (its revision is a queryset update), so they do not.
        from followup.models import Publication
        from followup.public_cache import forget_publication_stamp
        from followup.selectors import followup_basis_warm_on_commit
        from promises.models import Promise
        from promises.revisions import rules_warmers

        # The admin's changes of targets and areas read the follow-up's basis again for the
        # next reader (promises/revisions.py; promises does not import the follow-up).
        if followup_basis_warm_on_commit not in rules_warmers:
            rules_warmers.append(followup_basis_warm_on_commit)

        for model in (Publication, Promise):
            post_save.connect(
                forget_publication_stamp, sender=model, dispatch_uid=f"public-stamp-save-{model.__name__}"
            )
            post_delete.connect(
                forget_publication_stamp, sender=model, dispatch_uid=f"public-stamp-delete-{model.__name__}"
            )
