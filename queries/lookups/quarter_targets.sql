-- quarter_targets: the plan's rows for fiscal quarter $quarter (stg_targets): the whole book's (no segment,
-- no team), a segment's or a team's target GRR on renewals and/or target renewed ARR.
select quarter, segment, team, target_grr, target_renewed_arr
from stg_targets
where quarter = $quarter
order by segment nulls first, team nulls first
