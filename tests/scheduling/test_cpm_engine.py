"""Hand-worked CPM examples: every link type with lags and leads, ties, deadlines, done
activities, drivers and errors. Each expected value is worked out in the comment above it."""

from __future__ import annotations

import pytest

from tracker.scheduling.engine import (
    Activity,
    CycleError,
    Driver,
    Link,
    Schedule,
    ScheduledActivity,
    ScheduleError,
    schedule,
)


def dates(result: Schedule, act_id: str) -> tuple[int, int, int, int, int, int]:
    a = result.activities[act_id]
    return a.es, a.ef, a.ls, a.lf, a.total_float, a.free_float


def link_driver(pred: str, type_: str = "FS", lag: int = 0) -> Driver:
    return Driver("link", pred, type_, lag)


# -- each link type ------------------------------------------------------------------------


def test_fs_with_lag() -> None:
    # A(3) -FS+2-> B(4): es_B = ef_A + 2 = 5, ef_B = 9 = T.
    # Backward: lf_B = 9, ls_B = 5; lf_A = ls_B - 2 = 3, ls_A = 0. Free A = 5 - (3 + 2) = 0.
    r = schedule([Activity("A", 3), Activity("B", 4)], [Link("A", "B", "FS", 2)])
    assert r.project_duration == 9 and r.horizon == 9
    assert dates(r, "A") == (0, 3, 0, 3, 0, 0)
    assert dates(r, "B") == (5, 9, 5, 9, 0, 0)
    assert r.activities["A"].critical and r.activities["B"].critical
    assert r.activities["B"].drivers == (link_driver("A", "FS", 2),)


def test_fs_with_lead() -> None:
    # A(5) -FS-2-> B(3): es_B = 5 - 2 = 3, ef_B = 6 = T. lf_A = ls_B + 2 = 5: no float.
    r = schedule([Activity("A", 5), Activity("B", 3)], [Link("A", "B", "FS", -2)])
    assert dates(r, "A") == (0, 5, 0, 5, 0, 0)
    assert dates(r, "B") == (3, 6, 3, 6, 0, 0)


def test_ss_lead_is_clamped_at_project_start() -> None:
    # A(5) -SS-1-> B(2): the bound es_A - 1 = -1 is below 0, so es_B = 0 and only the
    # project start binds. T = 5; B: lf 5, ls 3, float 3; free float T - ef_B = 3.
    r = schedule([Activity("A", 5), Activity("B", 2)], [Link("A", "B", "SS", -1)])
    assert dates(r, "B") == (0, 2, 3, 5, 3, 3)
    assert r.activities["B"].drivers == (Driver("project_start"),)
    # A: lf = min(5, ls_B + 1 + d_A = 9) = 5; link slack on early dates = 0 - (0 - 1) = 1.
    assert dates(r, "A") == (0, 5, 0, 5, 0, 0)


def test_ss_with_lag() -> None:
    # A(5) -SS+2-> B(2): es_B = 2, ef_B = 4, T = 5.
    # B: lf 5, ls 3, total float 1, free float T - ef = 1.
    # A: lf = min(5, ls_B - 2 + d_A = 6) = 5: float 0; free = min(2 - (0 + 2), 5 - 5) = 0.
    r = schedule([Activity("A", 5), Activity("B", 2)], [Link("A", "B", "SS", 2)])
    assert dates(r, "A") == (0, 5, 0, 5, 0, 0)
    assert dates(r, "B") == (2, 4, 3, 5, 1, 1)
    assert not r.activities["B"].critical


def test_ss_backward_bound_binds() -> None:
    # A(2) -SS+1-> B(6): es_B = 1, ef_B = 7 = T. B: ls 1. A: lf = min(7, ls_B - 1 + 2) = 2.
    r = schedule([Activity("A", 2), Activity("B", 6)], [Link("A", "B", "SS", 1)])
    assert dates(r, "A") == (0, 2, 0, 2, 0, 0)
    assert dates(r, "B") == (1, 7, 1, 7, 0, 0)


def test_ff_with_lag() -> None:
    # A(4) -FF+1-> B(2): ef_B >= 5, so es_B = 3, T = 5.
    # A: lf = min(5, lf_B - 1 = 4) = 4, ls 0: float 0 although A finishes at 4.
    r = schedule([Activity("A", 4), Activity("B", 2)], [Link("A", "B", "FF", 1)])
    assert dates(r, "A") == (0, 4, 0, 4, 0, 0)
    assert dates(r, "B") == (3, 5, 3, 5, 0, 0)
    assert r.activities["B"].drivers == (link_driver("A", "FF", 1),)


def test_ff_with_lead() -> None:
    # A(6) -FF-2-> B(1): ef_B >= 4, es_B = 3, T = 6.
    # B: lf 6, ls 5, float 2, free T - ef = 2. A: lf = min(6, lf_B + 2 = 8) = 6, float 0;
    # free A = min(ef_B - (ef_A - 2) = 0, T - ef_A = 0) = 0.
    r = schedule([Activity("A", 6), Activity("B", 1)], [Link("A", "B", "FF", -2)])
    assert dates(r, "A") == (0, 6, 0, 6, 0, 0)
    assert dates(r, "B") == (3, 4, 5, 6, 2, 2)


def test_sf_with_lag() -> None:
    # A(3) -SF+5-> B(2): ef_B >= es_A + 5 = 5, es_B = 3, T = 5. B: float 0.
    # A: lf = min(5, lf_B - 5 + d_A = 3) = 3, ls 0: float 0.
    # Free A = min(ef_B - (es_A + 5) = 0, T - ef_A = 2) = 0.
    r = schedule([Activity("A", 3), Activity("B", 2)], [Link("A", "B", "SF", 5)])
    assert dates(r, "A") == (0, 3, 0, 3, 0, 0)
    assert dates(r, "B") == (3, 5, 3, 5, 0, 0)
    assert r.activities["B"].drivers == (link_driver("A", "SF", 5),)


def test_sf_with_lead() -> None:
    # A(4) -SF-1-> B(3) and a long C(10) so T = 10.
    # ef_B >= es_A - 1 = -1, so es_B = 0 (project start), ef_B = 3.
    # B: lf 10, ls 7, float 7; A: lf = min(10, lf_B + 1 + d_A = 15) = 10, ls 6, float 6.
    r = schedule(
        [Activity("A", 4), Activity("B", 3), Activity("C", 10)], [Link("A", "B", "SF", -1)]
    )
    assert dates(r, "B") == (0, 3, 7, 10, 7, 7)
    assert dates(r, "A")[:5] == (0, 4, 6, 10, 6)
    # Free A = min(ef_B - (es_A - 1) = 4, T - ef_A = 6) = 4.
    assert r.activities["A"].free_float == 4


# -- ties, two links, chains -----------------------------------------------------------------


def test_two_links_between_one_pair_both_constrain() -> None:
    # A(4) -SS-> B(3) and A -FF+2-> B: SS allows es_B = 0, FF needs ef_B >= 6, so es_B = 3.
    # T = 6. A: lf = min(6, SS: ls_B + d_A = 7, FF: lf_B - 2 = 4) = 4: critical.
    # Free A = min(SS slack 3 - 0 = 3, FF slack 6 - (4 + 2) = 0) = 0.
    r = schedule(
        [Activity("A", 4), Activity("B", 3)],
        [Link("A", "B", "SS", 0), Link("A", "B", "FF", 2)],
    )
    assert dates(r, "A") == (0, 4, 0, 4, 0, 0)
    assert dates(r, "B") == (3, 6, 3, 6, 0, 0)
    assert r.activities["B"].drivers == (link_driver("A", "FF", 2),)


def test_two_links_both_binding_are_both_drivers_in_input_order() -> None:
    # A(4) -SS+3-> B(3) and A -FF+2-> B: both give es_B = 3.
    r = schedule(
        [Activity("A", 4), Activity("B", 3)],
        [Link("A", "B", "SS", 3), Link("A", "B", "FF", 2)],
    )
    assert r.activities["B"].es == 3
    assert r.activities["B"].drivers == (link_driver("A", "SS", 3), link_driver("A", "FF", 2))


def test_disconnected_chains() -> None:
    # A(2) -> B(3) and a lone C(10): T = 10.
    # B: lf 10, ls 7, float 5, free T - ef = 5. A: lf = ls_B = 7, ls 5, float 5, free 0.
    r = schedule([Activity("A", 2), Activity("B", 3), Activity("C", 10)], [Link("A", "B")])
    assert r.project_duration == 10
    assert dates(r, "A") == (0, 2, 5, 7, 5, 0)
    assert dates(r, "B") == (2, 5, 7, 10, 5, 5)
    assert dates(r, "C") == (0, 10, 0, 10, 0, 0)
    assert [a.critical for a in r.activities.values()] == [False, False, True]


def test_diamond_tie_driving_chain_and_paths() -> None:
    # A(2) feeds B(3) and C(3), both feed D(1): B and C tie, so D has two link drivers.
    r = schedule(
        [Activity("A", 2), Activity("B", 3), Activity("C", 3), Activity("D", 1)],
        [Link("A", "B"), Link("A", "C"), Link("C", "D"), Link("B", "D")],
    )
    d = r.activities["D"]
    assert d.es == 5
    # Ties are ordered by the predecessor's position in the input: B before C.
    assert d.drivers == (link_driver("B"), link_driver("C"))
    assert r.driving_chain("D") == ["A", "B", "D"]
    assert r.driving_paths("D") == {"A", "B", "C", "D"}
    assert r.driving_chain("A") == ["A"]
    assert r.driving_paths("A") == {"A"}


def test_driving_path_skips_links_with_slack() -> None:
    # A(5) -> C(1) binds; B(2) -> C has 3 days of slack, so B is not a driver.
    r = schedule(
        [Activity("A", 5), Activity("B", 2), Activity("C", 1)], [Link("A", "C"), Link("B", "C")]
    )
    assert r.activities["C"].drivers == (link_driver("A"),)
    assert r.driving_paths("C") == {"A", "C"}
    assert r.activities["B"].free_float == 3


def test_point_milestones_have_zero_duration() -> None:
    # A(3) -> M(0) -> B(2): M sits at 3 (es = ef = 3), B runs 3..5.
    r = schedule(
        [Activity("A", 3), Activity("M", 0), Activity("B", 2)], [Link("A", "M"), Link("M", "B")]
    )
    assert dates(r, "M") == (3, 3, 3, 3, 0, 0)
    assert dates(r, "B") == (3, 5, 3, 5, 0, 0)


# -- deadlines -----------------------------------------------------------------------------


def test_tight_deadline_gives_negative_float_everywhere() -> None:
    # A(5) -> B(5), deadline 8: T = 10, H = 8. B: lf 8, ls 3, float -2; A: lf 3, ls -2, -2.
    # A lone C(1): lf = H = 8 (every activity, not only the ends), ls 7, float 7.
    r = schedule(
        [Activity("A", 5), Activity("B", 5), Activity("C", 1)], [Link("A", "B")], deadline=8
    )
    assert r.project_duration == 10 and r.horizon == 8
    assert dates(r, "A")[:5] == (0, 5, -2, 3, -2)
    assert dates(r, "B")[:5] == (5, 10, 3, 8, -2)
    assert dates(r, "C")[:5] == (0, 1, 7, 8, 7)
    assert r.activities["A"].critical and r.activities["B"].critical
    assert not r.activities["C"].critical
    # Free float is measured on early dates against T, not H: C's is T - ef = 9.
    assert r.activities["C"].free_float == 9


def test_loose_deadline_gives_float_to_the_critical_path() -> None:
    # Same network, deadline 12: everything gains 2 days.
    r = schedule([Activity("A", 5), Activity("B", 5)], [Link("A", "B")], deadline=12)
    assert r.horizon == 12
    assert r.activities["A"].total_float == 2 and r.activities["B"].total_float == 2
    assert not any(a.critical for a in r.activities.values())


# -- free float ----------------------------------------------------------------------------


def test_free_float_is_capped_by_t_minus_ef() -> None:
    # A(5) -SS-> B(1) with B no earlier than 4: the link has slack 4 - 0 = 4, but
    # T - ef_A = 5 - 5 = 0, so A's free float is 0.
    r = schedule([Activity("A", 5), Activity("B", 1, earliest_start=4)], [Link("A", "B", "SS")])
    assert r.project_duration == 5
    assert r.activities["A"].free_float == 0
    assert r.activities["B"].drivers == (Driver("earliest_start"),)


def test_free_float_from_link_slack() -> None:
    # A(2) -> B(1) with B no earlier than 6: slack 6 - 2 = 4; T = 7, T - ef_A = 5: free 4.
    # Total float of A: lf = ls_B = 6, ls 4: 4.
    r = schedule([Activity("A", 2), Activity("B", 1, earliest_start=6)], [Link("A", "B")])
    assert dates(r, "A") == (0, 2, 4, 6, 4, 4)


def test_no_successors_free_float_is_t_minus_ef() -> None:
    r = schedule([Activity("A", 3), Activity("B", 7)], [])
    assert r.activities["A"].free_float == 4
    assert r.activities["B"].free_float == 0


# -- constraints and drivers ----------------------------------------------------------------


def test_earliest_finish_moves_the_whole_activity() -> None:
    # A(3) finish no earlier than 10: es = 10 - 3 = 7, ef = 10 (not stretched to 0..10).
    r = schedule([Activity("A", 3, earliest_finish=10)], [])
    assert dates(r, "A")[:2] == (7, 10)
    assert r.activities["A"].drivers == (Driver("earliest_finish"),)


def test_ties_between_link_and_own_constraints_list_all() -> None:
    # A(4) -> B(2) with B no earlier than 4 and finishing no earlier than 6: all bind at 4.
    r = schedule(
        [Activity("A", 4), Activity("B", 2, earliest_start=4, earliest_finish=6)],
        [Link("A", "B")],
    )
    assert r.activities["B"].drivers == (
        link_driver("A"),
        Driver("earliest_start"),
        Driver("earliest_finish"),
    )
    # A lone activity at 0 with earliest_start 0: both that and the project start bind.
    r = schedule([Activity("C", 1, earliest_start=0)], [])
    assert r.activities["C"].drivers == (Driver("earliest_start"), Driver("project_start"))


# -- done and started activities -------------------------------------------------------------


def test_done_activity_is_fixed_and_still_drives_successors() -> None:
    # A planned 2 days but done at actual 0..4; A -FS-> B(3): es_B = 4, ef_B = 7 = T.
    r = schedule(
        [Activity("A", 2, actual_start=0, actual_finish=4), Activity("B", 3)], [Link("A", "B")]
    )
    a = r.activities["A"]
    assert a == ScheduledActivity(
        "A", 0, 4, 0, 4, 0, 0, critical=False, done=True, drivers=(Driver("actual"),)
    )
    assert dates(r, "B") == (4, 7, 4, 7, 0, 0)
    assert r.activities["B"].drivers == (link_driver("A"),)
    assert r.driving_chain("B") == ["A", "B"]


def test_done_activity_ignores_its_predecessors() -> None:
    # P(6) -> D done at 1..2: D stays at 1..2 although P finishes at 6.
    r = schedule(
        [Activity("P", 6), Activity("D", 1, actual_start=1, actual_finish=2)], [Link("P", "D")]
    )
    assert dates(r, "D") == (1, 2, 1, 2, 0, 0)
    assert r.activities["D"].drivers == (Driver("actual"),)


def test_done_successor_imposes_no_backward_constraint() -> None:
    # C(3) -> D (done 1..2) and a lone E(8): T = 8. D constrains nothing, so C: lf = 8,
    # ls 5, float 5, and free float T - ef = 5 (the link to done D does not count).
    r = schedule(
        [Activity("C", 3), Activity("D", 1, actual_start=1, actual_finish=2), Activity("E", 8)],
        [Link("C", "D")],
    )
    assert dates(r, "C") == (0, 3, 5, 8, 5, 5)


def test_started_activity_keeps_actual_start_and_has_float() -> None:
    # P(4) -> S(5) started at 2: es_S = 2 (not 4), ef 7 = T; S float 0; P: lf = T = 7, float 3.
    r = schedule([Activity("P", 4), Activity("S", 5, actual_start=2)], [Link("P", "S")])
    s = r.activities["S"]
    assert (s.es, s.ef, s.total_float, s.done, s.critical) == (2, 7, 0, False, True)
    assert s.drivers == (Driver("actual"),)
    assert dates(r, "P")[:5] == (0, 4, 3, 7, 3)


def test_empty_network() -> None:
    r = schedule([], [])
    assert r.project_duration == 0 and r.horizon == 0 and r.activities == {}
    assert schedule([], [], deadline=5).horizon == 5


def test_long_chain_needs_no_recursion() -> None:
    # 20,000 activities in one FS chain: iterative code, no RecursionError.
    n = 20_000
    acts = [Activity(f"A{k}", 1) for k in range(n)]
    links = [Link(f"A{k}", f"A{k + 1}") for k in range(n - 1)]
    r = schedule(reversed(acts), links)
    assert r.project_duration == n
    assert r.activities[f"A{n - 1}"].es == n - 1
    chain = r.driving_chain(f"A{n - 1}")
    assert len(chain) == n and chain[0] == "A0"
    assert all(a.critical for a in r.activities.values())


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("acts", "links", "message"),
    [
        ([Activity("A", 1), Activity("A", 2)], [], "duplicate activity id 'A'"),
        (
            [Activity("A", -1)],
            [],
            "activity 'A': duration must be a whole number of days >= 0, got -1",
        ),
        (
            [Activity("A", 1.5)],  # type: ignore[arg-type]
            [],
            "activity 'A': duration must be a whole number of days >= 0, got 1.5",
        ),
        (
            [Activity("A", True)],
            [],
            "activity 'A': duration must be a whole number of days >= 0, got True",
        ),
        ([Activity("A", 1)], [Link("A", "X")], "link A -> X: unknown activity 'X'"),
        ([Activity("A", 1)], [Link("Y", "A")], "link Y -> A: unknown activity 'Y'"),
        (
            [Activity("A", 1)],
            [Link("A", "A")],
            "link A -> A: an activity cannot depend on itself",
        ),
        (
            [Activity("A", 1), Activity("B", 1)],
            [Link("A", "B", "XX")],
            "link A -> B: unknown dependency type 'XX' (expected FS, SS, FF or SF)",
        ),
        (
            [Activity("A", 1), Activity("B", 1)],
            [Link("A", "B", "fs")],
            "link A -> B: unknown dependency type 'fs' (expected FS, SS, FF or SF)",
        ),
        (
            [Activity("A", 1), Activity("B", 1)],
            [Link("A", "B", "FS", 1.5)],  # type: ignore[arg-type]
            "link A -> B: lag must be a whole number of days, got 1.5",
        ),
        (
            [Activity("A", 1, actual_finish=3)],
            [],
            "activity 'A': actual_finish given without actual_start",
        ),
        (
            [Activity("A", 1, actual_start=3, actual_finish=2)],
            [],
            "activity 'A': actual_finish 2 is before actual_start 3",
        ),
        (
            [Activity("A", 1, earliest_start="3")],  # type: ignore[arg-type]
            [],
            "activity 'A': earliest_start must be a whole number of days, got '3'",
        ),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message(
    acts: list[Activity], links: list[Link], message: str
) -> None:
    with pytest.raises(ScheduleError) as exc:
        schedule(acts, links)
    assert str(exc.value) == message
    assert "\n" not in str(exc.value)


def test_bad_deadline() -> None:
    with pytest.raises(ScheduleError, match=r"^deadline must be a whole number of days, got 2.5$"):
        schedule([Activity("A", 1)], [], deadline=2.5)  # type: ignore[arg-type]


def test_first_bad_link_in_input_order_is_reported() -> None:
    acts = [Activity("A", 1), Activity("B", 1)]
    links = [Link("A", "B"), Link("B", "A", "ZZ"), Link("A", "Q")]
    with pytest.raises(ScheduleError, match="^link B -> A: unknown dependency type 'ZZ'"):
        schedule(acts, links)


def test_unhashable_id_in_a_link_is_a_schedule_error() -> None:
    with pytest.raises(ScheduleError, match=r"unknown activity \['A'\]"):
        schedule([Activity("A", 1)], [Link(["A"], "A")])  # type: ignore[arg-type]


def test_cycle_is_reported_with_its_activities() -> None:
    acts = [Activity(x, 1) for x in "ABCD"]
    links = [Link("A", "B"), Link("B", "C"), Link("C", "A"), Link("C", "D")]
    with pytest.raises(CycleError) as exc:
        schedule(acts, links)
    assert str(exc.value) == "dependency cycle: A -> B -> C -> A"
    assert exc.value.cycle == ["A", "B", "C"]
    assert isinstance(exc.value, ScheduleError)


def test_cycle_reported_is_a_real_cycle_not_its_tail() -> None:
    # S -> X -> Y -> Z -> X, and Z -> T: only X, Y, Z form the cycle.
    acts = [Activity(x, 1) for x in ("S", "T", "Z", "Y", "X")]
    links = [Link("S", "X"), Link("X", "Y"), Link("Y", "Z"), Link("Z", "X"), Link("Z", "T")]
    with pytest.raises(CycleError) as exc:
        schedule(acts, links)
    # Starts at the cycle member given first (Z) and follows the arrows.
    assert exc.value.cycle == ["Z", "X", "Y"]
    assert str(exc.value) == "dependency cycle: Z -> X -> Y -> Z"


def test_two_node_cycle_via_different_link_types() -> None:
    acts = [Activity("A", 1), Activity("B", 1)]
    with pytest.raises(CycleError, match=r"^dependency cycle: A -> B -> A$"):
        schedule(acts, [Link("A", "B", "SS"), Link("B", "A", "FF", -3)])


def test_schedule_accepts_any_iterables_and_leaves_gc_enabled() -> None:
    import gc

    assert gc.isenabled()
    r = schedule((a for a in [Activity("A", 2)]), iter([]))
    assert r.activities["A"].ef == 2
    assert gc.isenabled()
    with pytest.raises(ScheduleError):
        schedule([Activity("A", -1)], [])
    assert gc.isenabled()
