"""Section 3, the profile: trends, when, where (maps), who (victims and suspects, repeats and
the victim-offender overlap), drivers of knife crime, health, education and youth justice, and
how the partnership compares with other areas. Each block reads one sna table."""

from __future__ import annotations

from svdw.report.charts import bar_chart, heatmap, line_chart
from svdw.report.content import Block, Section
from svdw.report.data import Row, SnaReader
from svdw.report.maps import rate_map
from svdw.report.tables import Column, Table

AREA = Column("district_name", "District")


def _scope(reader: SnaReader) -> str:
    return "each district" if reader.area.is_partnership else reader.area.name


def trends_block(reader: SnaReader, year: str) -> Block:
    rows = reader.rows(
        "sna_violence_district_month", {"financial_year": year}, ["month_start", "district_code"]
    )
    table = Table(
        "violence_month",
        f"Violence and sexual offences per month, {year}",
        [
            Column("month_start", "Month"),
            AREA,
            Column("violence_count", "Offences", "count", "police", "is_suppressed"),
            Column("violence_rate_per_1000", "Per 1,000", "decimal2"),
            Column("violence_rate_per_1000_lower_95", "95% CI lower", "decimal2"),
            Column("violence_rate_per_1000_upper_95", "95% CI upper", "decimal2"),
        ],
        rows,
        source_table="sna_violence_district_month",
    )
    chart = line_chart(
        "violence_month",
        f"Violence and sexual offences per 1,000 residents by month, {year}",
        f"Line chart of police-recorded violence and sexual offences per 1,000 residents for "
        f"{_scope(reader)}, month by month in {year}; the values are in the appendix table.",
        table,
        "month_start",
        "violence_rate_per_1000",
        "district_name",
        "Per 1,000 residents",
    )
    return Block("trends", "Trends", charts=[chart])


def when_block(reader: SnaReader, year: str) -> Block:
    level = "partnership" if reader.area.is_partnership else "district"
    where = {
        "source": "police_force",
        "period_type": "financial_year",
        "period": year,
        "geography_level": level,
    }
    rows = (
        reader.partnership_rows(
            "sna_violence_hour_weekday", where, ["iso_day_of_week", "hour_of_day"]
        )
        if reader.area.is_partnership
        else reader.rows("sna_violence_hour_weekday", where, ["iso_day_of_week", "hour_of_day"])
    )
    table = hour_weekday_table(rows, year)
    chart = heatmap(
        "hour_weekday",
        f"When serious violence happens, {year}",
        f"Heat map of police-recorded serious violence in {reader.area.name} by hour of day "
        f"(across) and day of the week (down), {year}; darker cells have more offences; withheld "
        "cells are blank. The values are in the appendix table.",
        table,
        rows,
        ("hour_label", "hour_of_day"),
        ("day_name", "iso_day_of_week"),
        "event_count",
        "Offences",
    )
    return Block("when", "When", charts=[chart])


def hour_weekday_table(rows: list[Row], year: str) -> Table:
    """The heat map's data as printed: a row per day, a column per hour (the same cells as
    the sna rows, laid out as the chart is)."""
    days: dict[int, Row] = {}
    for row in rows:
        day = days.setdefault(
            row["iso_day_of_week"],
            {"day_name": row["day_name"], "district_code": row["district_code"]},
        )
        day[f"h{row['hour_of_day']:02d}"] = row["event_count"]
        day[f"h{row['hour_of_day']:02d}_withheld"] = row["is_suppressed"]
    hours = [
        Column(f"h{hour:02d}", f"{hour:02d}", "count", "police", f"h{hour:02d}_withheld")
        for hour in range(24)
    ]
    return Table(
        "hour_weekday",
        f"Police-recorded serious violence by day (rows) and hour (columns), {year}",
        [Column("day_name", "Day"), *hours],
        [days[day] for day in sorted(days)],
        source_table="sna_violence_hour_weekday",
    )


def where_block(reader: SnaReader) -> Block:
    polygons = reader.rows(
        "sna_violence_map", {"area_type": "ward"}, ["area_code", "polygon_number"]
    )
    areas = list({row["area_code"]: row for row in polygons}.values())
    table = Table(
        "ward_map",
        "Violence and sexual offences per 1,000 residents by ward, latest 12 months",
        [
            Column("area_name", "Ward"),
            AREA,
            Column("violence_count", "Offences", "count", "police", "is_suppressed"),
            Column("violence_rate_per_1000", "Per 1,000", "decimal2"),
            Column("violence_rate_per_1000_lower_95", "95% CI lower", "decimal2"),
            Column("violence_rate_per_1000_upper_95", "95% CI upper", "decimal2"),
        ],
        areas,
        source_table="sna_violence_map",
    )
    chart = rate_map(
        "ward_map",
        "Violence and sexual offences per 1,000 residents by ward, latest 12 months",
        f"Map of the wards of {reader.area.name} shaded by violence and sexual offences per "
        "1,000 residents over the latest 12 months (darker is higher; grey: withheld). The "
        "values are in the appendix table.",
        polygons,
        table,
    )
    return Block("where", "Where", charts=[chart])


def who_block(reader: SnaReader, year: str) -> Block:
    block = Block("who", "Who")
    repeats = reader.rows(
        "sna_repeat_people", {"breakdown": "all"}, ["measure_sort_order", "district_code"]
    )
    table = Table(
        "repeat_people",
        "Repeat victims, repeat suspects and the victim-offender overlap, latest 12 months",
        [
            Column("measure_name", "Measure"),
            AREA,
            Column("person_count", "People", "count", None, "person_count_is_suppressed"),
            Column("base_count", "Out of", "count", None, "base_count_is_suppressed"),
            Column("share_percent", "Share", "percent"),
            Column("share_percent_lower_95", "95% CI lower", "percent"),
            Column("share_percent_upper_95", "95% CI upper", "percent"),
        ],
        repeats,
        source_table="sna_repeat_people",
    )
    block.charts.append(
        bar_chart(
            "repeat_people",
            "Repeats and overlap: share of the people seen",
            f"Bar chart of the share of victims who were repeat victims, of suspects who were "
            f"repeat suspects, and of everyone seen who was both victim and offender, for "
            f"{_scope(reader)}, with 95% confidence intervals; values in the appendix table.",
            table,
            "district_name",
            "share_percent",
            "Percent",
            colour="measure_name",
        )
    )
    if reader.area.is_partnership:
        block.note = (
            "Victims and suspects by age and sex are published per district (the sna tables "
            "hold no partnership total that could be added up without revealing withheld cells): "
            "see each district's report."
        )
        return block
    profile = reader.rows(
        "sna_victim_suspect_profile",
        {"financial_year": year},
        ["role", "age_band_sort_order", "sex"],
    )
    profile_table = Table(
        "victim_suspect_profile",
        f"Victims and suspects of serious violence by age band and sex, {year}",
        [
            Column("role", "Role"),
            Column("age_band", "Age band"),
            Column("sex", "Sex"),
            Column("person_count", "People", "count", "police", "is_suppressed"),
            Column("person_rate_per_1000", "Per 1,000", "decimal2"),
        ],
        profile,
        source_table="sna_victim_suspect_profile",
    )
    block.charts.append(
        bar_chart(
            "victim_suspect_profile",
            f"Victims and suspects by age band, {year}",
            f"Bar chart of victims and suspects of serious violence in {reader.area.name} by age "
            f"band, {year}, one bar per role and sex; withheld counts are not drawn. The values "
            "are in the appendix table.",
            profile_table,
            "age_band",
            "person_count",
            "People",
            colour="role",
        )
    )
    return block


def drivers_block(reader: SnaReader, year: str) -> Block:
    rows = reader.rows(
        "sna_knife_crime_drivers", {"financial_year": year}, ["driver_sort_order", "district_code"]
    )
    table = Table(
        "knife_drivers",
        f"Knife crime flagged domestic abuse, alcohol or drugs, {year}",
        [
            Column("driver_name", "Driver"),
            AREA,
            Column("knife_crime_count", "Offences", "count", "police", "is_suppressed"),
            Column("driver_percent", "Share", "percent"),
            Column("driver_percent_lower_95", "95% CI lower", "percent"),
            Column("driver_percent_upper_95", "95% CI upper", "percent"),
        ],
        rows,
        source_table="sna_knife_crime_drivers",
    )
    chart = bar_chart(
        "knife_drivers",
        f"Drivers of knife crime, {year}",
        f"Bar chart of the share of knife or sharp-object enabled serious violence the police "
        f"flagged as domestic abuse, alcohol- or drug-related, for {_scope(reader)}, {year}; "
        "values in the appendix table.",
        table,
        "district_name",
        "driver_percent",
        "Percent of knife crime",
        colour="driver_name",
    )
    return Block("drivers", "Drivers", charts=[chart])


def health_block(reader: SnaReader, year: str) -> Block:
    rows = reader.rows(
        "sna_health_assaults_month",
        {"financial_year": year, "age_band": "All ages"},
        ["measure_sort_order", "month_start", "district_code"],
    )
    table = Table(
        "health_assaults",
        f"Assaults seen by health services per month, {year}",
        [
            Column("month_start", "Month"),
            Column("measure_name", "Measure"),
            AREA,
            Column("assault_count", "Patients", "count", "health", "is_suppressed"),
            Column("assault_rate_per_1000", "Per 1,000", "decimal2"),
        ],
        rows,
        source_table="sna_health_assaults_month",
    )
    chart = bar_chart(
        "health_assaults",
        f"Assaults seen by health services, {year}",
        f"Bar chart of emergency-department attendances and hospital admissions for assault per "
        f"1,000 residents by month for {_scope(reader)}, {year}; NHS counts of 1 to 7 are "
        "withheld and others rounded to 5. Values in the appendix table.",
        table,
        "district_name",
        "assault_rate_per_1000",
        "Per 1,000 residents (monthly)",
        colour="measure_name",
    )
    return Block("health", "Health", charts=[chart])


def education_block(reader: SnaReader, year: str) -> Block:
    exclusions = reader.rows(
        "sna_school_exclusions",
        {"academic_year": year, "reason_code": "ALL"},
        ["term_sort_order", "category_code", "district_code"],
    )
    table = Table(
        "exclusions",
        f"Suspensions and permanent exclusions, academic year {year}",
        [
            Column("term", "Term"),
            Column("category_name", "Category"),
            AREA,
            Column("exclusion_count", "Exclusions", "count", "education", "is_suppressed"),
            Column("exclusion_rate_per_100_pupils", "Per 100 pupils", "decimal2"),
        ],
        exclusions,
        source_table="sna_school_exclusions",
    )
    chart = bar_chart(
        "exclusions",
        f"Suspensions and exclusions per 100 pupils, {year}",
        f"Bar chart of suspensions and permanent exclusions per 100 pupils on roll for "
        f"{_scope(reader)}, academic year {year}; values in the appendix table.",
        table,
        "district_name",
        "exclusion_rate_per_100_pupils",
        "Per 100 pupils",
        colour="category_name",
    )
    absence = reader.rows(
        "sna_persistent_absence",
        {"academic_year": year, "school_phase": "All phases"},
        ["term_sort_order", "district_code"],
    )
    absence_table = Table(
        "persistent_absence",
        f"Persistent absence (10% or more of sessions missed), academic year {year}",
        [
            Column("term", "Term"),
            AREA,
            Column("pupil_count", "Pupils", "count", "education", "pupil_count_is_suppressed"),
            Column(
                "persistently_absent_count",
                "Persistently absent",
                "count",
                "education",
                "persistently_absent_count_is_suppressed",
            ),
            Column("persistent_absence_percent", "Percent", "percent"),
            Column("persistent_absence_percent_lower_95", "95% CI lower", "percent"),
            Column("persistent_absence_percent_upper_95", "95% CI upper", "percent"),
        ],
        absence,
        source_table="sna_persistent_absence",
    )
    return Block("education", "Education", charts=[chart], tables=[absence_table])


def youth_justice_block(reader: SnaReader, year: str) -> Block:
    rows = reader.rows("sna_youth_justice", {"financial_year": year}, ["district_code"])
    table = Table(
        "youth_justice",
        f"First-time entrants and proven reoffending, {year}",
        [
            AREA,
            Column(
                "first_time_entrant_count",
                "First-time entrants",
                "count",
                "youth_justice",
                "first_time_entrant_count_is_suppressed",
            ),
            Column("first_time_entrant_rate_per_100k", "Per 100,000 aged 10-17", "decimal1"),
            Column(
                "reoffending_cohort_count",
                "Cohort",
                "count",
                "youth_justice",
                "reoffending_cohort_count_is_suppressed",
            ),
            Column(
                "reoffender_count",
                "Reoffended",
                "count",
                "youth_justice",
                "reoffender_count_is_suppressed",
            ),
            Column("reoffending_percent", "Reoffending", "percent"),
        ],
        rows,
        source_table="sna_youth_justice",
    )
    return Block("youth_justice", "Youth justice", tables=[table])


def comparators_block(reader: SnaReader) -> Block:
    rows = reader.partnership_rows("sna_comparator_rates", order_by=["crime_group", "area_type"])
    table = Table(
        "comparators",
        "Police-recorded crime per 1,000 residents against comparator areas, latest 12 months",
        [
            Column("crime_group", "Crime group"),
            Column("area_name", "Area"),
            Column("crimes", "Crimes", "count", "police", "is_suppressed"),
            Column("crime_rate_per_1000", "Per 1,000", "decimal2"),
            Column("crime_rate_per_1000_lower_95", "95% CI lower", "decimal2"),
            Column("crime_rate_per_1000_upper_95", "95% CI upper", "decimal2"),
        ],
        rows,
        area_column=None,
        source_table="sna_comparator_rates",
    )
    chart = bar_chart(
        "comparators",
        "Recorded crime against comparator areas",
        "Bar chart of police.uk recorded crime per 1,000 residents for the partnership area, "
        "its force, comparator groups and England and Wales, by crime group, with 95% "
        "confidence intervals; values in the appendix table.",
        table,
        "crime_group",
        "crime_rate_per_1000",
        "Per 1,000 residents",
        colour="area_name",
    )
    return Block("comparators", "Against comparator areas (partnership-wide)", charts=[chart])


def profile_section(reader: SnaReader, year: str) -> Section:
    return Section(
        "profile",
        "3. The profile",
        [
            trends_block(reader, year),
            when_block(reader, year),
            where_block(reader),
            who_block(reader, year),
            drivers_block(reader, year),
            health_block(reader, year),
            education_block(reader, year),
            youth_justice_block(reader, year),
            comparators_block(reader),
        ],
    )
