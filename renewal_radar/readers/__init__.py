"""One reader per page (Datasette's table view): what the page shows, read in one place.

Each module is the one way its page reads the database: pages call its functions through ``ui.compute`` and
nothing else (actions such as an import or a console query go through their domain modules). A reader returns
frozen results with money in the currency the page shows; the domain modules compute, the readers assemble.

- :mod:`.common` — what every page and the sidebar read: the as-of day, filter options, currencies, score
  status, an account's owner, the team;
- :mod:`.overview`, :mod:`.forecast`, :mod:`.calendar`, :mod:`.at_risk`, :mod:`.account`, :mod:`.cohorts`,
  :mod:`.why`, :mod:`.expansion`, :mod:`.digest`, :mod:`.data`, :mod:`.explore`, :mod:`.imports` — one per page.
"""
