"""URLs of the party-life app. Each part keeps its routes in its own module."""

from yinfa.partylife import urls_assessment, urls_branches, urls_compliance, urls_meetings

app_name = "partylife"

urlpatterns = [*urls_branches.urlpatterns, *urls_meetings.urlpatterns, *urls_compliance.urlpatterns,
               *urls_assessment.urlpatterns]
