"""Routes of the imports part of the people app (filled in by its owner)."""

urlpatterns = []
