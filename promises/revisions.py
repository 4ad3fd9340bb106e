"""The revision of a promise: what the follow-up's caches are keyed on.

A promise's `revision` is a random UUID that is replaced whenever anything the follow-up
shows of it changes (its activities, targets and their areas, commitments, sections,
comments, approvals, publications). A UUID never comes back: not after a restore, not from
another process, so a cache key made from it can never be reused for other figures.

Only writes call `promise_changed`: the services, the loader, the import, the admin and
`restore`. There are no signal receivers: a write that bypasses them (a raw queryset
`.update()`, SQL by hand) must call it too. The new value is written after the transaction
commits, so no reader can see a new revision with the old data.

Its `rules_revision` moves with it on every change except a change of entries alone
(`rules=False`). What does not depend on the entries is cached under it: the activity rules
(promises/selectors.py) and the follow-up's basis, the targets, comments, publications and
approvals a tertial's figures are shown with (followup.selectors.followup_basis_cached). So
after an entry only the figures are computed again. After a comment, an approval, a
publication or an admin change of targets and areas, the writer reads the basis again once
committed (followup_basis_warm_on_commit, through `rules_warmers` below for the admin), so the
next reader computes only the figures then too.
"""

import uuid
from collections.abc import Callable, Iterable

from django.db import transaction

from promises.models import Promise


def _new_revisions(promise_ids: set[int], *, rules: bool) -> None:
    # One new value for all of them is enough: cache keys hold the promise's id too.
    value = uuid.uuid4()
    fields = {"revision": value, "rules_revision": value} if rules else {"revision": value}
    Promise.objects.filter(pk__in=promise_ids).update(**fields)


def promise_changed(promise_ids: Iterable[int | None], *, rules: bool = True) -> None:
    """Give these promises a new revision once the current transaction commits.

    `rules=False` only for a change of entries (activities): it moves the figures, never what
    the activity rules read (targets and their areas, parties, areas) nor the follow-up's
    basis (comments, publications, approvals), so the rules' revision stays and what is
    cached under it. Anything else moves both.
    """
    ids = {pk for pk in promise_ids if pk is not None}
    if ids:
        transaction.on_commit(lambda: _new_revisions(ids, rules=rules))


# What else is cached under the rules revision and is better read again by the one who
# changed it than by the next reader: the follow-up's basis (followup_basis_warm_on_commit,
# added by followup/apps.py, since promises never imports the follow-up). Called by the admin
# after its changes of targets, areas and sections, after `promise_changed`.
rules_warmers: list[Callable[..., None]] = []


def rules_warm_on_commit(promise_ids: list[int]) -> None:
    for warm in rules_warmers:
        warm(promise_ids=promise_ids)
