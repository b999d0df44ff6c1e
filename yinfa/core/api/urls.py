from django.urls import path
from rest_framework.routers import SimpleRouter

from yinfa.care import api as care_api
from yinfa.core.api import views
from yinfa.dues import api as dues_api
from yinfa.needs import api as needs_api
from yinfa.partylife import api as partylife_api
from yinfa.people import api as people_api

router = SimpleRouter(use_regex_path=False)
router.register("org-nodes", views.OrgNodeViewSet, basename="orgnode")
router.register("users", views.UserViewSet, basename="user")
router.register("people", people_api.PersonViewSet, basename="person")
partylife_api.register(router)
dues_api.register(router)
care_api.register(router)
needs_api.register(router)

urlpatterns = [
    path("schema/", views.SchemaView.as_view(), name="api_schema"),
    path("docs/", views.api_docs, name="api_docs"),
    path("me/", views.MeView.as_view(), name="api-me"),
    *router.urls,
]
