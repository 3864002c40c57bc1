-- Every LSOA code a source may carry, 2011 or 2021, mapped to one 2021 LSOA:
--   * a 2021 LSOA maps to itself (an unchanged LSOA keeps its code, so its 2011 code is this too);
--   * a merged 2011 LSOA (M) maps to the one 2021 LSOA it became part of;
--   * a split (S) or irregularly redrawn (X) 2011 LSOA overlaps several 2021 LSOAs: it maps to its
--     best fit, the one with the most residents in the latest mid-year estimate published on 2021
--     LSOAs (ties, or no estimate loaded: the lowest code). Records on a split 2011 LSOA cannot
--     be placed more exactly than that: their whole count goes to the best fit.
--   * a 2011 LSOA of the partnership (ward lookup) that the 2011->2021 lookup does not list (the
--     lookup is not loaded, or is partial) is taken as unchanged and maps to itself.
{{ config(materialized='table', schema='intermediate') }}

with

lookup as (

    select * from {{ ref('stg_reference__lsoa11_lsoa21_lookup') }}

),

area_2011 as (

    select lsoa_code from {{ ref('stg_reference__lsoa_lookup') }}

),

estimates as (

    select * from {{ ref('stg_reference__lsoa_population_estimates') }}

),

residents_2021 as (

    -- residents per 2021 LSOA in the latest mid-year that was published on 2021 LSOAs
    select estimates.lsoa_code, sum(estimates.population) as residents
    from estimates
    where estimates.lsoa_code in (select lsoa21_code from lookup)
        and estimates.mid_year = (
            select max(mid_year) from estimates
            where lsoa_code in (select lsoa21_code from lookup)
        )
    group by estimates.lsoa_code

),

codes_2021 as (

    select
        lsoa21_code                     as lsoa_code,
        lsoa21_code,
        '2021'                          as lsoa_vintage,
        -- how the 2021 LSOA came about: U kept its 2011 code, M merged, S split off, X redrawn
        case when count(distinct change_indicator) = 1 then max(change_indicator) else 'X' end
                                        as change_indicator,
        1                               as lsoa21_candidates
    from lookup
    group by lsoa21_code

),

ranked_2011 as (

    select
        lookup.lsoa11_code,
        lookup.lsoa21_code,
        lookup.change_indicator,
        count(*) over (partition by lookup.lsoa11_code) as lsoa21_candidates,
        row_number() over (
            partition by lookup.lsoa11_code
            order by residents_2021.residents desc nulls last, lookup.lsoa21_code
        ) as fit_rank
    from lookup
    left join residents_2021
        on lookup.lsoa21_code = residents_2021.lsoa_code

),

codes_2011 as (

    select
        lsoa11_code                     as lsoa_code,
        lsoa21_code,
        '2011'                          as lsoa_vintage,
        change_indicator,
        cast(lsoa21_candidates as integer) as lsoa21_candidates
    from ranked_2011
    where fit_rank = 1
        and lsoa11_code not in (select lsoa_code from codes_2021)

),

assumed_unchanged as (

    select
        area_2011.lsoa_code,
        area_2011.lsoa_code             as lsoa21_code,
        '2011'                          as lsoa_vintage,
        'U'                             as change_indicator,
        1                               as lsoa21_candidates
    from area_2011
    where area_2011.lsoa_code not in (select lsoa_code from codes_2021)
        and area_2011.lsoa_code not in (select lsoa_code from codes_2011)

),

final as (

    select lsoa_code, lsoa21_code, lsoa_vintage, change_indicator, lsoa21_candidates,
        true as is_in_lookup
    from codes_2021
    union all
    select lsoa_code, lsoa21_code, lsoa_vintage, change_indicator, lsoa21_candidates,
        true as is_in_lookup
    from codes_2011
    union all
    select lsoa_code, lsoa21_code, lsoa_vintage, change_indicator, lsoa21_candidates,
        false as is_in_lookup
    from assumed_unchanged

)

select * from final
