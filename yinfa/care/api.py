"""The care JSON API: each part registers its viewsets on the project router."""

from yinfa.care import api_aid, api_campaigns, api_contacts, api_visits


def register(router):
    api_visits.register(router)
    api_campaigns.register(router)
    api_aid.register(router)
    api_contacts.register(router)
