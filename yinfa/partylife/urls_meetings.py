"""Routes of the meetings part of the party-life app."""

urlpatterns = []
