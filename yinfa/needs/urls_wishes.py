"""URLs of the needs app: wishes."""

urlpatterns = []
