-- opportunity_history_count: how many opportunity changes the history export holds (0 without one).
select count(*) as changes from stg_opportunity_history
