"""Excel import of organisations and staff members: templates, parsing, validation, commit.

The flow is upload → validate (a preview, nothing written) → commit (all rows
or none). Rows are matched by code (organisation code, staff code), so
importing the same file twice updates instead of duplicating, and an unchanged
file reports every row as unchanged.

Speed matters: a province has ~40,000 staff and the whole file must go through
in well under a minute on SQLite. So lookups are read once into dicts, name
keys are computed in Python and rows are written with bulk_create/bulk_update
in batches, with one audit event per commit instead of one per row.

Modules, in the order a file goes through them: `columns` (what the workbooks
hold), `templates` (the downloadable workbooks), `reading` (file checks, rows as
dicts), `validation` and `staff_validation` (rows → a plan with row errors),
`writing` (the bulk writes of a commit) and `jobs` (what the views and the
background task call).
"""
