{#-
  latest_12_months_period(relation, month_column='month_start')
  The "latest 12 months" of a monthly source, defined once for every sna model that publishes
  or protects it (sna_violence_lsoa_latest_12_months publishes it, sna_area_prioritisation
  scores it, sna_violence_lsoa_month flags its months so that suppression protects the
  latest-12 total): the 12 calendar months ending with the latest month present in `relation`
  (normally ref('fct_police_crime'), police.uk data), not with today, because police.uk
  publishes months late. Returns a query of one row: period_start (first day of the earliest
  month), period_end (first day of the latest month); both dates. No row at all while the
  relation is empty (no police data delivered yet): the models that cross join it are empty
  then, rather than rows with a NULL period.
  It takes the relation rather than calling ref() itself so that each model's dependencies,
  and the inputs its unit tests mock, stay visible in the model.
-#}
{% macro latest_12_months_period(relation, month_column='month_start') -%}
select
        cast(max({{ month_column }}) - interval '11 months' as date)  as period_start,
        max({{ month_column }})                                       as period_end
    from {{ relation }}
    having max({{ month_column }}) is not null
{%- endmacro %}
