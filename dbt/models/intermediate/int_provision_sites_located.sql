-- Provision located: one row per audited programme at a provider site, with the site's LSOA and
-- district (from its postcode via the ONS postcode lookup) and its weekly places. The keys are
-- made exactly as dim_provider (md5 of organisation | site) and dim_programme (md5 of the
-- programme) make them; relationships tests guard that. Sites that only appear on session
-- registers have no postcode and so no area.
{{ config(materialized='table', schema='intermediate') }}

with

audit as (

    select * from {{ ref('stg_providers__provision_audit') }}

),

postcodes as (

    -- one LSOA per postcode: the live record first
    select distinct on (replace(postcode, ' ', ''))
        replace(postcode, ' ', '') as postcode_compact,
        lsoa_code
    from {{ ref('stg_reference__postcode_lookup') }}
    order by replace(postcode, ' ', ''), is_live desc nulls last, lsoa_code

),

sites as (

    select
        md5(organisation || '|' || site_name)   as provider_key,
        md5(programme)                          as programme_key,
        min(site_postcode)                      as site_postcode,
        sum(places_per_week)                    as places_per_week
    from audit
    group by organisation, site_name, programme

),

final as (

    select
        sites.provider_key,
        sites.programme_key,
        geography.lsoa_code,
        geography.district_code,
        sites.places_per_week
    from sites
    left join postcodes
        on replace(sites.site_postcode, ' ', '') = postcodes.postcode_compact
    left join {{ ref('int_lsoa_codes_mapped') }} as codes
        on postcodes.lsoa_code = codes.lsoa_code
    left join {{ ref('dim_geography') }} as geography
        on codes.lsoa21_code = geography.lsoa_code

)

select * from final
