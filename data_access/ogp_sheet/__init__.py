"""OGP's commitments sheet (CSV or XLSX, 171 columns): import all-or-nothing, and export.

catalogue: the columns and the model field each fills; read: CSV/XLSX to strings; validate: row and column
problems; upsert: one transaction writing members, plans, commitments and IRM progress (import_ogp_sheet);
export: commitments back to the sheet format (export_ogp_sheet).
"""
