-- Persistent absence (10% or more of possible sessions missed, fct_school_attendance) per
-- academic year, term, district of the school and school phase (dim_school), with an
-- 'All phases' row per term and district. Pupils are enrolments: a pupil on two schools' rolls
-- in a term counts at each, as the DfE counts them. Each count carries its own disclosure
-- control (and flag); the percentage is withheld when either count is.

{%- set groupings = [['academic_year', 'term', 'district_code'], ['academic_year', 'term', 'school_phase'], ['academic_year', 'district_code', 'school_phase']] %}

with

attendance as (

    select
        attendance.academic_year,
        attendance.term,
        schools.district_code,
        coalesce(schools.phase, 'Unknown')                          as school_phase,
        attendance.is_persistent_absence
    from {{ ref('fct_school_attendance') }} as attendance
    inner join {{ ref('dim_school') }} as schools
        on attendance.school_urn = schools.school_urn
    where schools.district_code is not null
        and attendance.sessions_possible > 0

),

terms as (

    {{ school_terms(ref('fct_school_attendance')) }}

),

districts as (

    select district_code, max(district_name) as district_name
    from {{ ref('dim_geography') }}
    where district_code is not null
    group by district_code

),

phases as (

    select distinct coalesce(phase, 'Unknown') as school_phase from {{ ref('dim_school') }}
    union all
    select 'All phases'

),

counted as (

    select
        academic_year,
        term,
        district_code,
        school_phase,
        count(*)                                                    as pupils,
        count(*) filter (where is_persistent_absence)               as absentees
    from attendance
    group by grouping sets (
        (academic_year, term, district_code, school_phase),
        (academic_year, term, district_code)
    )

),

cells as (

    select
        terms.academic_year,
        terms.term,
        terms.term_sort_order,
        districts.district_code,
        districts.district_name,
        phases.school_phase,
        coalesce(counted.pupils, 0)                                 as pupils,
        coalesce(counted.absentees, 0)                              as absentees
    from terms
    cross join districts
    cross join phases
    left join counted
        on terms.academic_year = counted.academic_year
        and terms.term = counted.term
        and districts.district_code = counted.district_code
        and phases.school_phase = coalesce(counted.school_phase, 'All phases')

),

protected as (

    {{ suppress_count_columns(
        'cells', ['pupils', 'absentees'],
        groupings=groupings, tiebreak=['district_code', 'academic_year', 'term_sort_order', 'school_phase'], family='education'
    ) }}

),

final as (

    select
        academic_year,
        term,
        term_sort_order,
        district_code,
        district_name,
        school_phase,
        {{ published_count('pupils', 'pupils_is_suppressed', family='education') }} as pupil_count,
        pupils_is_suppressed                                        as pupil_count_is_suppressed,
        {{ published_count('absentees', 'absentees_is_suppressed', family='education') }} as persistently_absent_count,
        absentees_is_suppressed                                     as persistently_absent_count_is_suppressed,
        {{ published_rate_columns(
            'persistent_absence_percent', 'absentees', 'pupils', per=100, decimals=1, precision=5,
            withheld=['absentees_is_suppressed', 'pupils_is_suppressed'], family='education', method='wilson'
        ) }}
    from protected

)

select * from final
