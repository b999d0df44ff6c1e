"""Routes of the meetings part of the party-life app."""

from django.urls import path

from yinfa.partylife.views import meeting_calendar, meeting_records, meeting_signin, meetings

urlpatterns = [
    path("meetings/", meetings.meeting_list, name="meeting_list"),
    path("meetings/export/", meetings.meeting_export, name="meeting_export"),
    path("meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("meetings/calendar/", meeting_calendar.meeting_calendar, name="meeting_calendar"),
    path("meetings/sign-in/<str:token>/", meeting_signin.meeting_signin, name="meeting_signin"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/copy/", meetings.meeting_copy, name="meeting_copy"),
    path("meetings/<int:pk>/delete/", meetings.meeting_delete, name="meeting_delete"),
    path("meetings/<int:pk>/attendance/", meeting_records.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/attendance/refresh/", meeting_records.meeting_roster_refresh,
         name="meeting_roster_refresh"),
    path("meetings/<int:pk>/sign-in-sheet/", meeting_signin.meeting_signin_sheet, name="meeting_signin_sheet"),
    path("meetings/<int:pk>/files/new/", meeting_records.meeting_file_add, name="meeting_file_add"),
    path("meetings/files/<int:pk>/", meeting_records.meeting_file, name="meeting_file"),
    path("meetings/files/<int:pk>/delete/", meeting_records.meeting_file_delete, name="meeting_file_delete"),
]
