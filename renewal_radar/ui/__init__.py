"""The pages' toolkit, the only part of the package that imports Streamlit. Its rooms:

- :mod:`.data` — the live database's connection, cached figures (:func:`compute`) and access narrowing;
- :mod:`.session` — the signed-in person, refusals and the audit log;
- :mod:`.sign_in` — signing in and out, and running a page the person may open;
- :mod:`.pickers` — the sidebar: language, currency, as-of day and filters;
- :mod:`.formatting` — money, percentages, dates and coded values in the reader's language;
- :mod:`.cards` — KPI cards read from the figure registry;
- :mod:`.tables` — tables, their downloads and paging, links to an account;
- :mod:`.layout` — a page's header, deep links and tabs drawn when opened;
- :mod:`.navigation` — the pages as ``st.navigation`` lists them;
- :mod:`.economics` — the quarter view's price at renewal and path to plan with its what-if;
- :mod:`.packs` — the packs' download buttons.

Pages write ``ui.compute``, ``ui.dataframe``…: the names below are the toolkit, whichever room holds them.
"""

from renewal_radar.ui.cards import card_row, metric, ninety_days_caption
from renewal_radar.ui.data import (
    account_exists,
    compute,
    has_data,
    require_account,
    save_snapshot,
    shown_currency,
    stop_without_data,
    warn_if_scores_stale,
)
from renewal_radar.ui.economics import path_to_plan_panel, quarter_price_panel
from renewal_radar.ui.formatting import coded, day, day_count, money, percent, renewal_count, snapshot_name
from renewal_radar.ui.layout import lazy_tabs, mark_navigation_ready, page_header, uploader_words
from renewal_radar.ui.navigation import navigation_pages, page_files, page_titles
from renewal_radar.ui.packs import pack_downloads
from renewal_radar.ui.pickers import (
    bill_period_label,
    choose_language,
    current_as_of,
    current_filters,
    sidebar_currency,
    sidebar_filters,
    sidebar_language,
)
from renewal_radar.ui.session import audited, current_currency, person, record, refuse, role_word
from renewal_radar.ui.sign_in import run_page, sidebar_identity, sign_in
from renewal_radar.ui.tables import (
    account_link_column,
    account_url,
    chart_opening_accounts,
    charted_accounts,
    dataframe,
    money_column,
    open_account_picker,
    percent_column,
    table_page,
    table_with_download,
)

__all__ = [
    "account_exists",
    "account_link_column",
    "account_url",
    "audited",
    "bill_period_label",
    "card_row",
    "chart_opening_accounts",
    "charted_accounts",
    "choose_language",
    "coded",
    "compute",
    "current_as_of",
    "current_currency",
    "current_filters",
    "dataframe",
    "day",
    "day_count",
    "has_data",
    "lazy_tabs",
    "mark_navigation_ready",
    "metric",
    "money",
    "money_column",
    "navigation_pages",
    "ninety_days_caption",
    "open_account_picker",
    "pack_downloads",
    "page_files",
    "page_header",
    "page_titles",
    "path_to_plan_panel",
    "percent",
    "percent_column",
    "person",
    "quarter_price_panel",
    "record",
    "refuse",
    "renewal_count",
    "require_account",
    "role_word",
    "run_page",
    "save_snapshot",
    "shown_currency",
    "sidebar_currency",
    "sidebar_filters",
    "sidebar_identity",
    "sidebar_language",
    "sign_in",
    "snapshot_name",
    "stop_without_data",
    "table_page",
    "table_with_download",
    "uploader_words",
    "warn_if_scores_stale",
]
