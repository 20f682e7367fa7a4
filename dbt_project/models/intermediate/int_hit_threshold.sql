-- The ONE hit definition: a hit is a modelling track (not an outlier, streams known) whose
-- streams reach the var('hit_quantile') quantile (0.9 = top 10%). KPIs and models both read it.
with modelling as (
    select features.stream
    from {{ ref('int_tracks__features') }} as features
    inner join {{ ref('int_tracks__outliers') }} as outliers using (row_id)
    where not outliers.is_outlier and features.stream is not null
)

select
    cast({{ var('hit_quantile') }} as double) as hit_quantile,
    {{ quantile_cont('stream', var('hit_quantile')) }} as hit_threshold_streams,
    count(*) as modelling_tracks
from modelling
