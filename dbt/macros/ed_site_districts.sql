{#-
  ed_site_districts(sites, geography): each ED site the partnership receives ISTV data from (seed
  ed_sites) with the district it stands in, where that district is one of the partnership's
  (dim_geography; else district_code and district_name are NULL). The seed may list a site once
  per geography (the real county and the synthetic one use the same site codes): the row whose
  district is in dim_geography wins. ISTV records the site of treatment and no geography of the
  assault, so the site's district is the place a venue count is filed under. Written once for
  the models that file ED places by district (sna_ed_venues, sna_ed_location_types,
  sna_repeat_locations); takes the relations so each model's inputs stay visible in it.
-#}
{% macro ed_site_districts(sites, geography) -%}
select distinct on (sites.site_code)
        sites.site_code,
        sites.site_name,
        districts.district_code,
        districts.district_name
    from {{ sites }} as sites
    left join (
        select district_code, max(district_name) as district_name
        from {{ geography }}
        where district_code is not null
        group by district_code
    ) as districts
        on sites.district_code = districts.district_code
    order by sites.site_code, districts.district_code is null, sites.district_code
{%- endmacro %}
