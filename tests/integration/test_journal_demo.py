"""The demo's half-term of journal entries (issue 3, item 9), written for a small school."""
from __future__ import annotations

from chalicelib.local import journal_demo
from chalicelib.store import journal as store
from tests.integration.school import SmallSchool, school, today  # noqa: F401


def test_a_half_term_of_believable_entries(school: SmallSchool) -> None:
    assert journal_demo.seed_half_term(school.school_id) > 500
    for name, journal in school.journals.items():
        found = store.read_period(journal, "T1", "T1")
        assert found.lessons and all(journal_demo.FIRST.isoformat() <= store.date_of(x)
                                     <= journal_demo.LAST.isoformat() for x in found.lessons)
        statuses = {e.status for e in found.entries if e.status}
        assert "present" in statuses and statuses - {"present"}
        assert any(e.feedback for e in found.entries)
        if name == "math":
            (sor,) = found.works
            assert sor.kind == "SOR" and sor.criteria[0]["descriptors"][0]["text"]["kk"]
            assert all(0 <= e.points <= sor.max_points for e in found.entries if "#R#" in e.sk)
        else:  # pass/fail, "none" and grade 1: written feedback, no points, no SOR
            assert not found.works and all(e.points is None for e in found.entries)
    grid = school.teacher.ok("GET", f"/v1/journals/{school.journals['math']}?period=T1")
    assert grid["lessons"][0]["topic"] == "Кіріспе. Өткенді қайталау"
