"""Routes of the compliance part of the party-life app."""

urlpatterns = []
