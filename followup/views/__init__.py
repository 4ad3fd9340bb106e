"""The follow-up's views, one module per audience.

- `manager`: the dashboard, a target's page, approval and the managers' report.
- `public`: what anyone may read (overview, year, area, open data, embed, feed).
- `account`: a signed-in user's own settings.
"""
