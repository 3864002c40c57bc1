-- Suspensions and permanent exclusions per academic year, term, district of the school,
-- category and DfE reason, with an 'ALL' reasons row per category, and a rate per 100 pupils
-- on roll (the current GIAS number of pupils of the district's schools, dim_school: the only
-- whole-school roll the partnership receives; the attendance extract covers only some pupils).
-- Exclusions at a school dim_school cannot place in a district are left out.

with

exclusions as (

    select
        exclusions.academic_year,
        exclusions.term,
        schools.district_code,
        exclusions.category                                         as category_code,
        exclusions.reason_code
    from {{ ref('fct_school_exclusion') }} as exclusions
    inner join {{ ref('dim_school') }} as schools
        on exclusions.school_urn = schools.school_urn
    where schools.district_code is not null

),

terms as (

    {{ school_terms(ref('fct_school_exclusion')) }}

),

districts as (

    select
        geography.district_code,
        max(geography.district_name)                                as district_name,
        (
            select sum(schools.number_of_pupils)
            from {{ ref('dim_school') }} as schools
            where schools.district_code = geography.district_code
                and schools.is_in_gias
        )                                                           as pupils_on_roll
    from {{ ref('dim_geography') }} as geography
    where geography.district_code is not null
    group by geography.district_code

),

categories (category_code, category_name) as (

    values
        ('FIXD', 'Suspension'),
        ('PERM', 'Permanent exclusion'),
        ('LUNC', 'Lunchtime suspension')

),

reasons as (

    select distinct reason_code, reason_description
    from {{ ref('fct_school_exclusion') }}
    union all
    select 'ALL', 'All reasons'

),

counted as (

    select academic_year, term, district_code, category_code, reason_code, count(*) as events
    from exclusions
    group by grouping sets (
        (academic_year, term, district_code, category_code, reason_code),
        (academic_year, term, district_code, category_code)
    )

),

cells as (

    select
        terms.academic_year,
        terms.term,
        terms.term_sort_order,
        districts.district_code,
        districts.district_name,
        districts.pupils_on_roll,
        categories.category_code,
        categories.category_name,
        reasons.reason_code,
        reasons.reason_description,
        coalesce(counted.events, 0)                                 as events
    from terms
    cross join districts
    cross join categories
    cross join reasons
    left join counted
        on terms.academic_year = counted.academic_year
        and terms.term = counted.term
        and districts.district_code = counted.district_code
        and categories.category_code = counted.category_code
        and reasons.reason_code = coalesce(counted.reason_code, 'ALL')

),

{%- set groupings = [['academic_year', 'term', 'district_code', 'category_code'], ['academic_year', 'term', 'category_code', 'reason_code'], ['academic_year', 'district_code', 'category_code', 'reason_code']] %}
{%- set tiebreak = ['district_code', 'academic_year', 'term_sort_order', 'reason_code'] %}

protected as (

    {{ suppress_small_counts('cells', 'events', groupings=groupings, tiebreak=tiebreak, family='education') }}

),

final as (

    select
        academic_year,
        term,
        term_sort_order,
        district_code,
        district_name,
        category_code,
        category_name,
        reason_code,
        reason_description,
        cast(pupils_on_roll as bigint)                              as pupils_on_roll,
        {{ published_count('events', 'is_suppressed', family='education') }} as exclusion_count,
        {{ published_rate_columns(
            'exclusion_rate_per_100_pupils', 'events', 'pupils_on_roll', per=100, decimals=2, precision=8, withheld=['is_suppressed'], family='education'
        ) }},
        is_suppressed
    from protected

)

select * from final
