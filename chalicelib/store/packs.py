"""The rule pack a school marks with: the national pack in force at the start of the school year, with the
school's assessment settings of assessment-rules.md §3 (`sor_method`, `pool_fo_with_sor`, `fo_max`) where it
set them. The standing, the close, the counters and the reports all take their pack from here.
"""
from __future__ import annotations

from chalicelib.domain.assessment import RulePack, pack_for
from chalicelib.store.directory import SettingsItem
from chalicelib.store.schools import get_settings

__all__ = ["pack_with", "school_pack"]


def pack_with(year: int, settings: SettingsItem | None) -> RulePack:
    """The pack of school year `year` with these settings (None: the school set none)."""
    pack = pack_for(year)
    if settings is None:
        return pack
    return pack.with_settings(sor_method=settings.sor_method, pool_fo_with_sor=settings.pool_fo_with_sor,
                              fo_max=None if settings.fo_max is None else int(settings.fo_max))


def school_pack(school_id: str, year: int) -> RulePack:
    """The pack a school marks school year `year` with (one GetItem of its settings)."""
    return pack_with(year, get_settings(school_id))
