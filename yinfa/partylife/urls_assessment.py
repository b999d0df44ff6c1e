"""Routes of the assessment part of the party-life app."""

urlpatterns = []
