-- Who repeats: repeat victims, repeat suspects/offenders and the victim-offender overlap in the
-- latest 12 months (int_person_repeats: police, ED and youth justice through the resolved
-- person key), per district, by age band and by sex, with an 'All' row per district. Counts of
-- people and their share of the measure's base (victims; suspects/offenders; everyone seen),
-- never a person. Each measure is protected under the strictest disclosure rule of the sources
-- it combines (strictest_disclosure_family), over the sets a reader could add up to the 'All'
-- row: the age bands of a district and the sexes of a district.
{%- set measures = [
    {'code': 'repeat_victim', 'name': 'Repeat victims', 'families': ['police', 'health'],
     'numerator': 'is_repeat_victim', 'base': 'victim_occasions >= 1'},
    {'code': 'repeat_suspect', 'name': 'Repeat suspects or offenders',
     'families': ['police', 'youth_justice'],
     'numerator': 'is_repeat_suspect', 'base': 'offender_occasions >= 1'},
    {'code': 'victim_offender_overlap', 'name': 'Both victim and suspect or offender',
     'families': ['police', 'health', 'youth_justice'],
     'numerator': 'is_victim_offender', 'base': 'true'},
] %}
{%- set groupings = [['district_code', 'in_age_set'], ['district_code', 'in_sex_set']] %}
{%- set tiebreak = ['breakdown', 'breakdown_sort_order'] %}

with

people as (

    select * from {{ ref('int_person_repeats') }}
    where district_code is not null

),

windows as (

    select distinct window_start, window_end from {{ ref('int_person_repeats') }}

),

districts as (

    select district_code, max(district_name) as district_name
    from {{ ref('dim_geography') }}
    where district_code is not null
    group by district_code

),

age_bands as (

    {{ reporting_age_bands(ref('dim_age_band'), all_ages=false) }}

),

-- every row a district has: the 'All' row, each age band, each sex
breakdowns (breakdown, breakdown_value, breakdown_sort_order) as (

    select 'all', 'All', 0
    union all
    select 'age_band', age_band, sort_order from age_bands
    union all
    select 'sex', sex, sort_order from (values ('M', 1), ('F', 2), ('U', 3)) as sexes (sex, sort_order)

),

-- each person once in each breakdown: All, their age band, their sex
person_rows as (

    select people.*, 'all' as breakdown, 'All' as breakdown_value from people
    union all
    select people.*, 'age_band', coalesce(people.age_band, 'Unknown') from people
    union all
    select people.*, 'sex', people.sex from people

),

counted as (

    {%- for measure in measures %}
    select
        '{{ measure.code }}' as measure_code,
        district_code,
        breakdown,
        breakdown_value,
        count(*) filter (where {{ measure.numerator }})                    as people,
        count(*) filter (where {{ measure.base }})                         as base_people
    from person_rows
    group by district_code, breakdown, breakdown_value
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

measures (measure_code, measure_name, measure_sort_order, disclosure_family) as (

    values
    {%- for measure in measures %}
        ('{{ measure.code }}', '{{ measure.name }}', {{ loop.index }},
            '{{ strictest_disclosure_family(measure.families) }}'){% if not loop.last %},{% endif %}
    {%- endfor %}

),

cells as (

    select
        windows.window_start,
        windows.window_end,
        districts.district_code,
        districts.district_name,
        measures.measure_code,
        measures.measure_name,
        measures.measure_sort_order,
        measures.disclosure_family,
        breakdowns.breakdown,
        breakdowns.breakdown_value,
        breakdowns.breakdown_sort_order,
        breakdowns.breakdown in ('all', 'age_band')                         as in_age_set,
        breakdowns.breakdown in ('all', 'sex')                              as in_sex_set,
        coalesce(counted.people, 0)                                         as people,
        coalesce(counted.base_people, 0)                                    as base_people
    from windows
    cross join districts
    cross join measures
    cross join breakdowns
    left join counted
        on districts.district_code = counted.district_code
        and measures.measure_code = counted.measure_code
        and breakdowns.breakdown = counted.breakdown
        and breakdowns.breakdown_value = counted.breakdown_value

),

{%- for measure in measures %}
{%- set family = strictest_disclosure_family(measure.families) %}
{#- shares are of the published (rounded) base, so a rounded count never exceeds it -#}
{%- set base_published = '(' ~ rounded_count('base_people', family=family) ~ ')' %}
{%- set share_withheld = ['people_is_suppressed', 'base_people_is_suppressed'] %}

cells_{{ measure.code }} as (

    select * from cells where measure_code = '{{ measure.code }}'

),

protected_{{ measure.code }} as (

    {{ suppress_count_columns(
        'cells_' ~ measure.code,
        ['people', 'base_people'], groupings=groupings, tiebreak=tiebreak, family=family
    ) }}

),

published_{{ measure.code }} as (

    select
        window_start,
        window_end,
        district_code,
        district_name,
        measure_code,
        measure_name,
        measure_sort_order,
        breakdown,
        breakdown_value,
        breakdown_sort_order,
        {{ published_count('people', 'people_is_suppressed', family=family) }}
                                                                as person_count,
        people_is_suppressed                                    as person_count_is_suppressed,
        {{ published_count('base_people', 'base_people_is_suppressed', family=family) }}
                                                                as base_count,
        base_people_is_suppressed                               as base_count_is_suppressed,
        {{ published_rate_columns(
            'share_percent', 'people', base_published, method='wilson', per=100, decimals=1, precision=5,
            withheld=share_withheld, family=family
        ) }},
        disclosure_family
    from protected_{{ measure.code }}

),
{%- endfor %}

final as (

    {%- for measure in measures %}
    select * from published_{{ measure.code }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select * from final
