-- data_names: one row per distinct name the book's data holds (account, product, feature, person, segment, plan,
-- region and country names, activity subjects, survey and loss comments, snapshot names): the screen check
-- (tools/screens.py) reads their words as data values, which stay as the data has them in every language. Each
-- table's name columns are picked by name (COLUMNS), so a book without an optional column still answers.
with names as (
    unpivot (select COLUMNS(lambda c: c in ('account_id', 'name', 'plan', 'acquisition_channel', 'segment',
                                            'industry', 'main_product', 'am_owner', 'csm_owner', 'region',
                                            'country', 'currency'))::varchar from accounts_dim)
        on COLUMNS(*) into name column_name value value
    union all unpivot (select COLUMNS(lambda c: c = 'product')::varchar from subscription_lines)
        on COLUMNS(*) into name column_name value value
    union all unpivot (select COLUMNS(lambda c: c = 'feature')::varchar from usage_monthly_by_feature)
        on COLUMNS(*) into name column_name value value
    union all unpivot (select COLUMNS(lambda c: c in ('owner', 'manager', 'team', 'email'))::varchar from stg_team)
        on COLUMNS(*) into name column_name value value
    union all unpivot (select COLUMNS(lambda c: c = 'subject')::varchar from stg_activities)
        on COLUMNS(*) into name column_name value value
    union all unpivot (select COLUMNS(lambda c: c = 'comment')::varchar from stg_surveys)
        on COLUMNS(*) into name column_name value value
    union all unpivot (select COLUMNS(lambda c: c in ('reason_text', 'comment'))::varchar from renewal_reasons)
        on COLUMNS(*) into name column_name value value
    union all unpivot (select COLUMNS(lambda c: c in ('owner', 'loss_comment'))::varchar
                       from stg_renewal_opportunities)
        on COLUMNS(*) into name column_name value value
    union all unpivot (select COLUMNS(lambda c: c = 'name')::varchar from forecast_snapshots)
        on COLUMNS(*) into name column_name value value
)
select distinct value from names where value is not null
