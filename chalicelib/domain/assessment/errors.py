"""What can go wrong when computing marks: bad inputs, bad rule packs, a period that cannot close yet."""
from __future__ import annotations

__all__ = ["AssessmentError", "InvalidInput", "RulePackInvalid", "NoRulePack", "PeriodIncomplete"]


class AssessmentError(Exception):
    """Base of every error raised by `chalicelib.domain.assessment`."""


class InvalidInput(AssessmentError, ValueError):
    """An entry the rules do not allow: points out of range, a float, a component the subject does not have."""


class RulePackInvalid(AssessmentError, ValueError):
    """A rule pack's data breaks a rule: weights not summing to 1, bands with gaps, an unknown setting."""


class NoRulePack(AssessmentError, LookupError):
    """No rule pack was in force at the start of the requested school year."""


class PeriodIncomplete(AssessmentError):
    """The period cannot be closed for this pupil: a required summative result (or verdict) is missing."""
