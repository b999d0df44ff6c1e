"""URLs of the people app. Each part of the registry keeps its routes in its own module."""

from yinfa.people import urls_annual_check, urls_imports, urls_registry

app_name = "people"

urlpatterns = [*urls_registry.urlpatterns, *urls_imports.urlpatterns, *urls_annual_check.urlpatterns]
