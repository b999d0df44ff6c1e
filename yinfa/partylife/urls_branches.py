"""Routes of the branches part of the party-life app."""

urlpatterns = []
