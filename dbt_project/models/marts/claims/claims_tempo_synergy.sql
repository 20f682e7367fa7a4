-- Key insight 4: "tempo 120-130 BPM maximizes cross-platform synergy". Synergy = correlation
-- of log streams with log views within a 10-BPM tempo band (kpi_tempo_bands: same bands and
-- population, kept tracks with measured audio, streams > 0 and views > 0). Pearson of the logs
-- is reused from kpi_tempo_bands; Spearman (rank-based, the same for logs and raw counts) is
-- added here. Each with a Fisher-z 95% interval, its rank among the bands with at least
-- claims_min_tracks() pairs, and a z-test of its Fisher z against the best OTHER eligible band.
{%- set min_tracks = claims_min_tracks() %}
{%- set spearman_factor = 1.06 %}

with tracks as (
    select
        tempo_band,
        stream,
        views
    from {{ ref('kpi_tracks') }}
    where in_audio_trends and in_correlation
),

ranked as (
    select
        tempo_band,
        {{ kpi_average_rank('stream', 'tempo_band') }} as stream_rank,
        {{ kpi_average_rank('views', 'tempo_band') }} as views_rank
    from tracks
),

spearman as (
    select
        tempo_band,
        corr(stream_rank, views_rank) as spearman_streams_views
    from ranked
    group by tempo_band
),

bands as (
    select
        bands.tempo_band,
        bands.tempo_band_upper,
        bands.tempo_band_label,
        bands.correlation_tracks,
        bands.correlation_tracks >= {{ min_tracks }} as is_eligible,
        case
            when bands.correlation_tracks >= {{ min_tracks }} then bands.pearson_log_streams_log_views
        end as pearson,
        case
            when bands.correlation_tracks >= {{ min_tracks }} then spearman.spearman_streams_views
        end as spearman
    from {{ ref('kpi_tempo_bands') }} as bands
    left join spearman using (tempo_band)
),

with_z as (
    select
        *,
        atanh(pearson) as pearson_z,
        atanh(spearman) as spearman_z,
        {{ claims_fisher_se('correlation_tracks') }} as pearson_se,
        {{ claims_fisher_se('correlation_tracks', spearman_factor) }} as spearman_se,
        -- eligible bands by correlation, best first (ties: lower band first)
        case when is_eligible then cast(row_number() over (
            partition by is_eligible order by pearson desc, tempo_band asc
        ) as bigint) end as pearson_rank,
        case when is_eligible then cast(row_number() over (
            partition by is_eligible order by spearman desc, tempo_band asc
        ) as bigint) end as spearman_rank
    from bands
),

leaders as (
    select
        max(tempo_band) filter (where pearson_rank = 1) as pearson_first_band,
        max(tempo_band) filter (where pearson_rank = 2) as pearson_second_band,
        max(tempo_band) filter (where spearman_rank = 1) as spearman_first_band,
        max(tempo_band) filter (where spearman_rank = 2) as spearman_second_band
    from with_z
),

compared as (
    select
        with_z.*,
        case
            when with_z.pearson_rank = 1 then leaders.pearson_second_band
            when with_z.pearson_rank > 1 then leaders.pearson_first_band
        end as pearson_best_other_band,
        case
            when with_z.spearman_rank = 1 then leaders.spearman_second_band
            when with_z.spearman_rank > 1 then leaders.spearman_first_band
        end as spearman_best_other_band
    from with_z
    cross join leaders
),

tested as (
    select
        compared.*,
        (compared.pearson_z - pearson_other.pearson_z)
        / sqrt(pow(compared.pearson_se, 2) + pow(pearson_other.pearson_se, 2)) as pearson_diff_z,
        (compared.spearman_z - spearman_other.spearman_z)
        / sqrt(pow(compared.spearman_se, 2) + pow(spearman_other.spearman_se, 2)) as spearman_diff_z
    from compared
    left join with_z as pearson_other on compared.pearson_best_other_band = pearson_other.tempo_band
    left join with_z as spearman_other on compared.spearman_best_other_band = spearman_other.tempo_band
),

with_t as (
    select
        *,
        {{ claims_erfc_t('pearson_diff_z') }} as pearson_t,
        {{ claims_erfc_t('spearman_diff_z') }} as spearman_t
    from tested
)

select
    tempo_band,
    tempo_band_upper,
    tempo_band_label,
    correlation_tracks,
    is_eligible,
    pearson as pearson_log_streams_log_views,
    {{ claims_fisher_bound('pearson', 'correlation_tracks', -1) }} as pearson_ci_low,
    {{ claims_fisher_bound('pearson', 'correlation_tracks', 1) }} as pearson_ci_high,
    pearson_rank,
    pearson_best_other_band,
    pearson_diff_z,
    {{ claims_normal_p_value('pearson_t', 'pearson_diff_z') }} as pearson_diff_p_value,
    spearman as spearman_streams_views,
    {{ claims_fisher_bound('spearman', 'correlation_tracks', -1, spearman_factor) }} as spearman_ci_low,
    {{ claims_fisher_bound('spearman', 'correlation_tracks', 1, spearman_factor) }} as spearman_ci_high,
    spearman_rank,
    spearman_best_other_band,
    spearman_diff_z,
    {{ claims_normal_p_value('spearman_t', 'spearman_diff_z') }} as spearman_diff_p_value
from with_t
order by tempo_band
