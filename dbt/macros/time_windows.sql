{#-
  Time windows of the "When" models, defined once (docs/definitions.md, "When violence happens").

  night_time_window(): the night-time economy window, var `night_time_economy_window`:
    {start_days: [5, 6], start_time: '20:00', end_time: '04:00'}
  start_days are ISO days of the week (Monday 1 ... Sunday 7) on which the window OPENS; a window
  whose end_time is not after its start_time runs past midnight into the next morning. So the
  default is Friday 20:00 to Saturday 04:00 and Saturday 20:00 to Sunday 04:00: an event at
  Saturday 02:30 is in the window (Friday night), one at Sunday 21:00 or Monday 02:00 is not.
  Returns the var checked and normalised (minutes since midnight), for the macros below.
-#}
{% macro night_time_window() %}
{%- set w = var('night_time_economy_window', {'start_days': [5, 6], 'start_time': '20:00', 'end_time': '04:00'}) -%}
{{ return(time_window_checked(w, 'night_time_economy_window', true)) }}
{% endmacro %}

{#- after_school_window(): var `after_school_window` {start_time: '15:00', end_time: '19:00'}, the
    hours after school on a school day (a term-time weekday; school_days()). Same day only. -#}
{% macro after_school_window() %}
{%- set w = var('after_school_window', {'start_time': '15:00', 'end_time': '19:00'}) -%}
{{ return(time_window_checked(w, 'after_school_window', false)) }}
{% endmacro %}

{% macro time_window_minutes(value, name) %}
{%- set parts = (value | string).split(':') -%}
{%- if parts | length != 2 or not parts[0].isdigit() or not parts[1].isdigit()
    or parts[0] | int > 23 or parts[1] | int > 59 -%}
{{ exceptions.raise_compiler_error("var " ~ name ~ ": a time is 'HH:MM' (00:00-23:59), not '" ~ value ~ "'") }}
{%- endif -%}
{{ return(parts[0] | int * 60 + parts[1] | int) }}
{% endmacro %}

{% macro time_window_checked(w, name, has_days) %}
{%- set start = time_window_minutes(w['start_time'], name) -%}
{%- set end = time_window_minutes(w['end_time'], name) -%}
{%- set days = w.get('start_days', []) if has_days else [] -%}
{%- for day in days -%}
{%- if day | int < 1 or day | int > 7 -%}
{{ exceptions.raise_compiler_error("var " ~ name ~ ": start_days are ISO days 1 (Monday) to 7 (Sunday)") }}
{%- endif -%}
{%- endfor -%}
{%- if has_days and not days -%}
{{ exceptions.raise_compiler_error("var " ~ name ~ ": name at least one start day") }}
{%- endif -%}
{%- if not has_days and end <= start -%}
{{ exceptions.raise_compiler_error("var " ~ name ~ ": the window ends after it starts, on the same day") }}
{%- endif -%}
{%- set length = (end - start) if end > start else (end + 1440 - start) -%}
{{ return({'start': start, 'end': end, 'days': days | map('int') | list, 'minutes': length,
           'crosses_midnight': end <= start}) }}
{% endmacro %}

{#- The minutes since midnight of a timestamp, as SQL. -#}
{% macro minute_of_day(ts) -%}
(extract(hour from {{ ts }}) * 60 + extract(minute from {{ ts }}))
{%- endmacro %}

{#- True when the timestamp `ts` falls in the night-time economy window (night_time_window()). -#}
{% macro in_night_time_window(ts) -%}
{%- set w = night_time_window() -%}
{%- set days = w['days'] | join(', ') -%}
{%- if w['crosses_midnight'] -%}
(
    (extract(isodow from {{ ts }}) in ({{ days }}) and {{ minute_of_day(ts) }} >= {{ w['start'] }})
    or (extract(isodow from {{ ts }} - interval '1 day') in ({{ days }}) and {{ minute_of_day(ts) }} < {{ w['end'] }})
)
{%- else -%}
(extract(isodow from {{ ts }}) in ({{ days }}) and {{ minute_of_day(ts) }} >= {{ w['start'] }} and {{ minute_of_day(ts) }} < {{ w['end'] }})
{%- endif -%}
{%- endmacro %}

{#- Hours a week inside the night-time economy window (16 for the default). -#}
{% macro night_time_window_hours_per_week() -%}
{%- set w = night_time_window() -%}
{{ (w['minutes'] * (w['days'] | length) / 60.0) | round(2) }}
{%- endmacro %}

{#- A label for the window, for the dashboards: 'Fri, Sat 20:00-04:00'. -#}
{% macro night_time_window_label() -%}
{%- set w = night_time_window() -%}
{%- set names = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] -%}
{%- set labels = [] -%}
{%- for day in w['days'] -%}{%- do labels.append(names[day - 1]) -%}{%- endfor -%}
'{{ labels | join(", ") }} {{ "%02d:%02d" | format(w["start"] // 60, w["start"] % 60) }}-{{ "%02d:%02d" | format(w["end"] // 60, w["end"] % 60) }}'
{%- endmacro %}

{#- True when the timestamp falls in the after-school hours of its day (after_school_window());
    whether the day is a school day is the caller's join (school_days()). -#}
{% macro in_after_school_window(ts) -%}
{%- set w = after_school_window() -%}
({{ minute_of_day(ts) }} >= {{ w['start'] }} and {{ minute_of_day(ts) }} < {{ w['end'] }})
{%- endmacro %}

{#- Hours a school day spends in the after-school window (4 for the default). -#}
{% macro after_school_hours_per_day() -%}
{%- set w = after_school_window() -%}
{{ (w['minutes'] / 60.0) | round(4) }}
{%- endmacro %}

{#-
  school_days(term_dates, date_from, date_to): one row (school_day, academic_year, term,
  term_sort_order) per school day between two SQL date expressions: a weekday (Monday to
  Friday) inside a term of `term_dates` (a relation with academic_year, term, term_start,
  term_end, half_term_start, half_term_end: seed school_term_dates) and outside its half term.
  The terms and their order come from school_terms(), as in the other school models. Bank
  holidays inside a term (the early May bank holiday) are counted as school days: the seed
  holds the local authority's terms, not each school's calendar (INSET days vary by school).
-#}
{% macro school_days(term_dates, date_from, date_to) -%}
select
        cast(days.day as date)                                      as school_day,
        terms.academic_year,
        terms.term,
        terms.term_sort_order
    from ({{ school_terms(term_dates) }}) as terms
    inner join {{ term_dates }} as dates
        on terms.academic_year = dates.academic_year
        and terms.term = dates.term
    cross join lateral generate_series(
        cast(greatest(dates.term_start, {{ date_from }}) as timestamp),
        cast(least(dates.term_end, {{ date_to }}) as timestamp),
        interval '1 day'
    ) as days (day)
    where extract(isodow from days.day) between 1 and 5
        and not coalesce(cast(days.day as date) between dates.half_term_start and dates.half_term_end, false)
{%- endmacro %}
