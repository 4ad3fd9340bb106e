"""A target's status as plain values, free of Django, so the engine (followup/engine.py) can
import it. followup.models.Status gives the same values their translated labels."""

from enum import StrEnum


class Status(StrEnum):
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"  # the year is over and the target was not met
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BEHIND = "behind"
    NOT_STARTED = "not_started"
    NOT_ASSESSED = "not_assessed"  # set by hand: the managers could not assess a qualitative target
    # A qualitative target the managers have not given a status yet ("not started" read as
    # "nothing done" for work that runs all year).
    NO_STATUS = "no_status"
