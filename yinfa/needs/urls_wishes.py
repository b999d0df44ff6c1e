"""URLs of the needs app: micro-wishes (微心愿) — the staff's list and export, collecting, the wish wall, a wish's
page and its transitions, and the scoped photo of a fulfilment."""

from django.urls import path

from yinfa.needs.views import wish_actions, wishes

urlpatterns = [
    path("wishes/", wishes.wish_list, name="wish_list"),
    path("wishes/export/", wishes.wish_export, name="wish_export"),
    path("wishes/wall/", wishes.wish_wall, name="wish_wall"),
    path("wishes/new/", wishes.wish_create, name="wish_create"),
    path("wishes/<int:pk>/", wishes.wish_detail, name="wish_detail"),
    path("wishes/<int:pk>/publish/", wish_actions.wish_publish, name="wish_publish"),
    path("wishes/<int:pk>/reject/", wish_actions.wish_reject, name="wish_reject"),
    path("wishes/<int:pk>/withdraw/", wish_actions.wish_withdraw, name="wish_withdraw"),
    path("wishes/<int:pk>/claim/", wish_actions.wish_claim, name="wish_claim"),
    path("wishes/<int:pk>/release/", wish_actions.wish_release, name="wish_release"),
    path("wishes/<int:pk>/fulfil/", wish_actions.wish_fulfil, name="wish_fulfil"),
    path("wishes/<int:pk>/confirm/", wish_actions.wish_confirm, name="wish_confirm"),
    path("wishes/photos/<int:pk>/", wishes.wish_photo, name="wish_photo"),
]
