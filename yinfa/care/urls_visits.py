"""URLs of the care app: visits."""

urlpatterns = []
