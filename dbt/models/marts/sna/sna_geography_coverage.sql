-- Where each fact's records fall, per source and month: in the partnership area (by a 2011 or a
-- 2021 LSOA code), outside it (an LSOA elsewhere: police.uk snap points over the boundary,
-- patients living elsewhere) or unlocated (no LSOA). Area figures count only the first; these
-- rows account for the rest, so a source's records add up to its total here. For the Data
-- quality dashboard. Counts of records by source and month, with no area or person attribute:
-- no disclosure control (as sna_data_freshness).

with

records as (

    select 'police' as partner, 'police.uk street crime and ASB' as source,
        month_start, location_status
    from {{ ref('fct_police_crime') }}
    union all
    select 'police', 'Force crime extract (rows)',
        cast(date_trunc('month', recorded_date) as date), location_status
    from {{ ref('fct_police_force_crime') }}
    union all
    select 'health', 'Hospital admissions (home)',
        cast(date_trunc('month', admission_date) as date), home_location_status
    from {{ ref('fct_hospital_admission') }}
    union all
    select 'health', 'Ambulance call-outs',
        cast(date_trunc('month', call_date) as date), location_status
    from {{ ref('fct_ambulance_callout') }}
    union all
    select 'education', 'Suspensions and exclusions (home)',
        cast(date_trunc('month', start_date) as date), home_location_status
    from {{ ref('fct_school_exclusion') }}
    union all
    select 'youth_justice', 'Youth justice outcomes (home)',
        cast(date_trunc('month', outcome_date) as date), home_location_status
    from {{ ref('fct_youth_justice_outcome') }}

),

final as (

    select
        partner,
        source,
        month_start,
        location_status,
        case location_status
            when 'in_area' then 'In the partnership area'
            when 'outside_area' then 'Outside the area'
            else 'No location'
        end                                                         as location_label,
        count(*)                                                    as record_count
    from records
    group by partner, source, month_start, location_status

)

select * from final
