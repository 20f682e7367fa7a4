-- The modelling set: distinct tracks that are not outliers and whose streams (the target) are known.
-- The model-input columns are macro model_input_select (macros/column_lists.sql), the same list
-- as scoring.score_input_features reads for new tracks; views and is_hit are training-only.
select
    {{ model_input_select() }},
    views,
    is_hit
from {{ ref('tracks') }}
where not is_outlier and stream is not null
