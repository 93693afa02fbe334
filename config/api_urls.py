"""The Management API v2 (/api/v2/): routes to each app's api.py."""

urlpatterns: list = []
