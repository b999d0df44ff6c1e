"""URLs of the care app: contacts."""

urlpatterns = []
