"""The quarterly sample: 25 % of the verified households each quarter (± one), never one twice
in a calendar year, everyone within the four quarters, households added mid-year joining the
remaining quarters (an estate starting mid-year too), and the same sample for the same seed."""

from hypothesis import given, settings
from hypothesis import strategies as st

from storage.surveys import QUARTERS, Quarter, draw, quarters_left

households = st.lists(st.integers(min_value=1, max_value=10_000), unique=True, max_size=400)
seeds = st.integers(min_value=0, max_value=2**48)


def year_of_samples(homes: list[int], seed: int, year: int = 2027) -> list[list[int]]:
    asked: set[int] = set()
    found = []
    for number in range(1, QUARTERS + 1):
        quarter = Quarter(year, number)
        picked = draw(homes, asked, quarters_left(quarter), seed, quarter.label)
        asked.update(picked)
        found.append(picked)
    return found


@settings(max_examples=200, deadline=None)
@given(households, seeds)
def test_a_year_asks_everyone_once_about_a_quarter_at_a_time(homes, seed):
    quarters = year_of_samples(homes, seed)
    flat = [unit for picked in quarters for unit in picked]
    assert len(flat) == len(set(flat)), "a household was asked twice in the year"
    assert set(flat) == set(homes), "the four quarters must cover every household"
    share = len(homes) / QUARTERS
    for picked in quarters:
        assert abs(len(picked) - share) <= 1


@settings(max_examples=100, deadline=None)
@given(households, seeds)
def test_the_same_seed_draws_the_same_sample(homes, seed):
    assert year_of_samples(homes, seed) == year_of_samples(list(reversed(homes)), seed)


@given(st.lists(st.integers(1, 10_000), unique=True, min_size=40, max_size=400), seeds)
@settings(max_examples=50, deadline=None)
def test_another_seed_draws_another_sample(homes, seed):
    assert year_of_samples(homes, seed) != year_of_samples(homes, seed + 1)


@settings(max_examples=100, deadline=None)
@given(households, households, seeds)
def test_households_added_mid_year_join_the_remaining_quarters(first_homes, late, seed):
    late = [h + 20_000 for h in late]
    asked: set[int] = set()
    picked_by_quarter = []
    for number in range(1, QUARTERS + 1):
        homes = first_homes + (late if number >= 3 else [])
        quarter = Quarter(2027, number)
        picked = draw(homes, asked, quarters_left(quarter), seed, quarter.label)
        asked.update(picked)
        picked_by_quarter.append(picked)
    flat = [u for p in picked_by_quarter for u in p]
    assert len(flat) == len(set(flat))
    assert set(flat) == set(first_homes) | set(late)
    assert not set(late) & set(picked_by_quarter[0] + picked_by_quarter[1])


@settings(max_examples=100, deadline=None)
@given(households, seeds, st.integers(min_value=2, max_value=QUARTERS))
def test_an_estate_starting_mid_year_shares_everyone_over_the_quarters_left(homes, seed, start):
    # Every household of an estate that starts in quarter `start` was added mid-year: they
    # join the quarters left, so the calendar year still asks everyone once.
    asked: set[int] = set()
    picked_by_quarter = []
    for number in range(start, QUARTERS + 1):
        quarter = Quarter(2027, number)
        picked = draw(homes, asked, quarters_left(quarter), seed, quarter.label)
        asked.update(picked)
        picked_by_quarter.append(picked)
    flat = [u for p in picked_by_quarter for u in p]
    assert len(flat) == len(set(flat)) and set(flat) == set(homes)
    share = len(homes) / (QUARTERS - start + 1)
    assert all(abs(len(p) - share) <= 1 for p in picked_by_quarter)
    # Starting in Q4 means everyone at once; in Q3, half now and half in Q4.
    if start == QUARTERS:
        assert picked_by_quarter == [sorted(homes)]


def test_quarters_parse_and_name_themselves():
    assert Quarter.parse("2026-Q4") == Quarter(2026, 4)
    assert Quarter.parse("2026q1") == Quarter(2026, 1)
    assert Quarter.parse("2026-Q5") is None and Quarter.parse("Q4") is None
    assert Quarter(2026, 4).next == Quarter(2027, 1)
    assert Quarter(2026, 2).label == "2026-Q2"
