"""The project root and the domain-free plumbing of the three delivery surfaces.

- console: `console.py` (render_tab, staff_required, paging, form errors), `middleware.py`;
- every surface: `errors.py` and `outages.py` (503 for an outage, JSON errors on JSON paths),
  `cors.py` (public documents; endpoints for registered origins), `error_reports.py` (no
  secrets in error reports);
- Management API: `api.py` (Auth0's errors, strict input, paging), `api_schema.py` (JSON Schema
  with Auth0's wording, shared parameters), `openapi.py` (the document, from each app's
  contract and the routes);
- CLI: `cli.py` (StrictCommand).

The rule: modules here import no app (`keys`, `apis`, `applications`) except the URL modules
(`urls.py`, `api_urls.py`, `console_urls.py`), which wire the apps' views together. Apps import
this plumbing, never the other way round. tests/test_layout.py checks it.
"""
