"""The browser console: routes to each app's console views."""

urlpatterns: list = []
