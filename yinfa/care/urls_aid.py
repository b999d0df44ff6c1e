"""URLs of the care app: aid."""

urlpatterns = []
