"""URLs of the needs app: orders."""

urlpatterns = []
