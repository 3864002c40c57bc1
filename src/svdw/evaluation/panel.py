"""The evaluation's person-level inputs: who was referred where and when, and each person's
recorded contacts by month. Built from the marts (`read_panel`) or by a test from the synthetic
partnership's own records; never written anywhere (publish writes aggregates only).

Months are counted as year * 12 + month - 1 (`month_index`), so windows are plain integer ranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import psycopg

# Outcomes: code -> name, in the order the dashboard lists them.
OUTCOMES: dict[str, str] = {
    "police_contact": "Police contact as a victim or suspect",
    "youth_justice_outcome": "Youth justice outcome",
    "ed_assault_attendance": "ED attendance for assault",
    "school_exclusion": "Suspension or permanent exclusion",
}


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Panel:
    """people: person_id, sex, birth_year. events: person_id, outcome, month.
    referrals: person_id, programme, month, started. first_month/last_month: the months every
    outcome source covers in full."""

    people: pd.DataFrame
    events: pd.DataFrame
    referrals: pd.DataFrame
    first_month: int
    last_month: int


EVENTS_SQL = """
select suspect_person_key as person_id, 'police_contact' as outcome, offence_date as day
from marts.fct_police_force_crime where suspect_person_key is not null
union all
select victim_person_key, 'police_contact', offence_date
from marts.fct_police_force_crime where victim_person_key is not null
union all
select person_key, 'youth_justice_outcome', outcome_date
from marts.fct_youth_justice_outcome where person_key is not null
union all
select person_key, 'ed_assault_attendance', arrival_date
from marts.fct_ed_assault_attendance where is_identified and person_key is not null
union all
-- exclusions carry the pupil's UPN key: its person through the resolved identifiers
select resolved.person_key, 'school_exclusion', exclusions.start_date
from marts.fct_school_exclusion as exclusions
inner join intermediate.int_person_resolved as resolved
    on resolved.identifier_type = 'upn' and exclusions.pupil_key = resolved.identifier_key
"""
REFERRALS_SQL = """
select r.person_key as person_id, p.programme_name as programme, r.referral_date as day,
    r.is_started as started
from marts.fct_referral as r
inner join marts.dim_programme as p on r.programme_key = p.programme_key
where r.person_key is not null
"""
PEOPLE_SQL = "select person_key as person_id, sex, birth_year from marts.dim_person"
# The outcome sources' common span: from the latest first month to the earliest last month.
SPAN_SQL = """
select max(first_day), min(last_day) from (
    select min(offence_date) as first_day, max(offence_date) as last_day
    from marts.fct_police_force_crime
    union all
    select min(outcome_date), max(outcome_date) from marts.fct_youth_justice_outcome
    union all
    select min(start_date), max(start_date) from marts.fct_school_exclusion
) as spans
"""


def _frame(conn: psycopg.Connection, sql: str) -> pd.DataFrame:
    cursor = conn.execute(sql)
    columns = [c.name for c in cursor.description or ()]
    return pd.DataFrame(cursor.fetchall(), columns=columns)


def _by_month(frame: pd.DataFrame) -> pd.DataFrame:
    days = pd.to_datetime(frame.pop("day"))
    frame["month"] = days.dt.year * 12 + days.dt.month - 1
    return frame


def read_panel(warehouse_url: str) -> Panel:
    """The panel from the marts (pseudonymous person keys only)."""
    with psycopg.connect(warehouse_url, application_name="svdw evaluation") as conn:
        events = _by_month(_frame(conn, EVENTS_SQL))
        referrals = _by_month(_frame(conn, REFERRALS_SQL))
        people = _frame(conn, PEOPLE_SQL)
        first_day, last_day = conn.execute(SPAN_SQL).fetchone() or (None, None)
    if first_day is None or last_day is None:
        return Panel(people, events, referrals, 0, -1)
    # whole months only: a month is covered when the data start on or before its first day
    # and run to (near) its end
    first = month_index(first_day) + (first_day.day > 1)
    last = month_index(last_day) - (last_day.day < 28)
    return Panel(people, events, referrals, first, last)
