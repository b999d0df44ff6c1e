from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from yinfa.core.access import public

urlpatterns = [
    path("schema/", public(SpectacularAPIView.as_view()), name="api_schema"),
    path("docs/", public(SpectacularRedocView.as_view(url_name="api_schema")), name="api_docs"),
]
