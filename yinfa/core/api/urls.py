from django.urls import path
from rest_framework.routers import SimpleRouter

from yinfa.core.api import views

router = SimpleRouter(use_regex_path=False)
router.register("org-nodes", views.OrgNodeViewSet, basename="orgnode")
router.register("users", views.UserViewSet, basename="user")

urlpatterns = [
    path("schema/", views.SchemaView.as_view(), name="api_schema"),
    path("docs/", views.api_docs, name="api_docs"),
    path("me/", views.MeView.as_view(), name="api-me"),
    *router.urls,
]
