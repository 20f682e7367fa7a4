-- 10-BPM tempo bands (lower edge, tracks.tempo_band) over tracks with measured audio
-- (imputed tempos would all pile into the median band). Correlations are null in bands with
-- fewer than kpi_min_correlation_tracks() pairs.
with tracks as (
    select * from {{ ref('kpi_tracks') }}
    where in_audio_trends
),

overall as (
    select
        count(*) as all_tracks,
        {{ kpi_hit_rate('is_hit') }} as overall_hit_rate
    from tracks
),

aggregated as (
    select
        tempo_band,
        count(*) as tracks,
        count(*) filter (where in_stream_kpis) as tracks_with_streams,
        avg(stream) as mean_streams,
        median(stream) as median_streams,
        {{ kpi_hit_count('is_hit') }} as hit_tracks,
        {{ kpi_hit_rate('is_hit') }} as hit_rate,
        count(*) filter (where in_correlation) as correlation_tracks,
        {{ kpi_pearson('stream', 'views', condition='in_correlation') }} as pearson_streams_views,
        {{ kpi_pearson('log_streams', 'log_views', condition='in_correlation') }} as pearson_log_streams_log_views
    from tracks
    group by tempo_band
)

select
    aggregated.tempo_band,
    aggregated.tempo_band + 10 as tempo_band_upper,
    aggregated.tempo_band || '-' || (aggregated.tempo_band + 9) || ' BPM' as tempo_band_label,
    aggregated.tracks,
    cast(aggregated.tracks as double) / overall.all_tracks as share_of_tracks,
    aggregated.tracks_with_streams,
    aggregated.mean_streams,
    aggregated.median_streams,
    aggregated.hit_tracks,
    aggregated.hit_rate,
    {{ kpi_lift('aggregated.hit_rate', 'overall.overall_hit_rate') }} as hit_rate_lift,
    aggregated.correlation_tracks,
    aggregated.pearson_streams_views,
    aggregated.pearson_log_streams_log_views
from aggregated
cross join overall
