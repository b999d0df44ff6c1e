"""The party-life JSON API: each part registers its viewsets on the project router."""

from yinfa.partylife import api_branches, api_compliance, api_meetings


def register(router):
    api_branches.register(router)
    api_meetings.register(router)
    api_compliance.register(router)
