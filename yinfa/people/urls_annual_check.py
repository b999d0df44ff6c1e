"""Routes of the annual_check part of the people app (filled in by its owner)."""

urlpatterns = []
