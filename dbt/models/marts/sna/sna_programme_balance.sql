-- Balance of each programme's matched comparison group: for every covariate the participants'
-- mean, the mean of everyone who could have been a comparison and of the matched comparisons,
-- and the standardised mean differences before and after matching (|SMD| under 0.1 is the usual
-- mark of balance). Group means only; withheld with the programme's participant count.
with

balance as (

    select * from {{ ref('programme_balance_estimates') }}

),

programmes as (

    select distinct programme_key, programme_name, design, participant_count_is_suppressed
    from {{ ref('sna_programme_evaluation') }}

),

final as (

    select
        programmes.programme_key,
        balance.programme_name,
        balance.design,
        balance.covariate,
        balance.covariate_name,
        {%- for column in ['participant_mean', 'unmatched_mean', 'matched_mean', 'smd_before', 'smd_after'] %}
        case when not programmes.participant_count_is_suppressed
            then round(cast(balance.{{ column }} as numeric), 3) end as {{ column }},
        {%- endfor %}
        case when not programmes.participant_count_is_suppressed
            then abs(balance.smd_after) < 0.1 end                 as is_balanced,
        balance.evaluated_at
    from balance
    inner join programmes
        on balance.programme_name = programmes.programme_name
        and balance.design = programmes.design

)

select * from final
