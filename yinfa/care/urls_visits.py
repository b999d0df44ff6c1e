"""URLs of the care app: the overview, visits, hospital stays and round birthdays."""

from django.urls import path

from yinfa.care.views import hospital, overview, visits

urlpatterns = [
    path("", overview.care_home, name="home"),
    path("visits/", visits.visit_list, name="visit_list"),
    path("visits/export/", visits.visit_export, name="visit_export"),
    path("visits/new/", visits.visit_create, name="visit_create"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/edit/", visits.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/delete/", visits.visit_delete, name="visit_delete"),
    path("visits/photos/<int:pk>/", visits.visit_photo, name="visit_photo"),
    path("visits/photos/<int:pk>/delete/", visits.visit_photo_delete, name="visit_photo_delete"),
    path("birthdays/", overview.birthday_list, name="birthdays"),
    path("birthdays/export/", overview.birthday_export, name="birthday_export"),
    path("hospital/", hospital.hospital_list, name="hospital_list"),
    path("hospital/new/", hospital.hospital_create, name="hospital_create"),
    path("hospital/<int:pk>/discharge/", hospital.hospital_discharge, name="hospital_discharge"),
]
