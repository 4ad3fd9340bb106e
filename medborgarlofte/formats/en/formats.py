# The users are Swedish: the English interface keeps ISO dates and the decimal comma.
from medborgarlofte.formats.sv.formats import *  # noqa: F403
