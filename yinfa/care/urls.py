"""URLs of the care app. Each part keeps its routes in its own module."""

from yinfa.care import urls_aid, urls_campaigns, urls_contacts, urls_visits

app_name = "care"

urlpatterns = [*urls_visits.urlpatterns, *urls_campaigns.urlpatterns, *urls_aid.urlpatterns,
               *urls_contacts.urlpatterns]
