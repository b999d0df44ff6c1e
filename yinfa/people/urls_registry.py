"""Routes of the registry part of the people app (filled in by its owner)."""

urlpatterns = []
