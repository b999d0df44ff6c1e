from django.urls import include, path

from yinfa.core.views import home

urlpatterns = [
    path("healthz", home.healthz, name="healthz"),
    path("api/", include("yinfa.core.api.urls")),
    path("people/", include("yinfa.people.urls")),
    path("party/", include("yinfa.partylife.urls")),
    path("dues/", include("yinfa.dues.urls")),
    path("care/", include("yinfa.care.urls")),
    path("services/", include("yinfa.needs.urls")),
    path("", include("yinfa.core.urls")),
]

handler403 = "yinfa.core.views.home.error_403"
handler404 = "yinfa.core.views.home.error_404"
handler500 = "yinfa.core.views.home.error_500"
