{#- Fails for every row whose published value lies outside its interval, or whose interval is
    published without the value (or the value without it): the limits are NULL exactly when the
    value is (macros/published_rate.sql). Applied to the value column; lower and upper default
    to <column>_lower_95 and <column>_upper_95. -#}
{% test interval_contains_value(model, column_name, lower=none, upper=none) %}
{%- set lower = lower or column_name ~ '_lower_95' -%}
{%- set upper = upper or column_name ~ '_upper_95' -%}
select {{ column_name }}, {{ lower }}, {{ upper }}
from {{ model }}
where ({{ column_name }} is null) <> ({{ lower }} is null)
    or ({{ column_name }} is null) <> ({{ upper }} is null)
    or {{ lower }} > {{ column_name }}
    or {{ upper }} < {{ column_name }}
{% endtest %}
