"""Suggestions: which provider of the resource list should carry out an order, and which retirees have a talent to
offer (from ``Person.specialties``).

Providers are ranked: those of the person's own community first (the resource serves that community, or is kept
by it), then those matching the order (the kind of service, then skills named in the service, its description or
what the person asked for), then the rest — each group by name.
"""

import re
from dataclasses import dataclass, field

from django.db.models import Q

from yinfa.needs.models import Resource
from yinfa.people.models import Person

MAX_CANDIDATES = 500
TALENT_LIMIT = 20
_WORDS = re.compile(r"[\s,，、;；/]+")


@dataclass
class Suggestion:
    resource: Resource
    same_community: bool
    kind_matches: bool
    skills: list = field(default_factory=list)

    @property
    def matches(self):
        return self.kind_matches or bool(self.skills)

    @property
    def rank_key(self):
        return (not self.same_community, not self.kind_matches, -len(self.skills),
                self.resource.provider_name, self.resource.pk)


def words(text):
    return [w for w in _WORDS.split(text or "") if w]


def _same_community(resource, person):
    if not person.community_id:
        return False
    if resource.community_id == person.community_id:
        return True
    return bool(person.community_path) and resource.node_path.startswith(person.community_path)


def rank(resources, order):
    """The resources as ranked Suggestions for ``order`` (its person and item loaded)."""
    person, item = order.person, order.item
    haystack = " ".join((item.name, item.description or "", order.details or ""))
    suggestions = []
    for resource in resources:
        skills = [w for w in words(resource.skills) if w in haystack]
        suggestions.append(Suggestion(resource=resource, same_community=_same_community(resource, person),
                                      kind_matches=item.category in (resource.categories or []), skills=skills))
    return sorted(suggestions, key=lambda s: s.rank_key)


def suggest_providers(order, scope, limit=None):
    """Ranked available providers of the scope's resource list for ``order``."""
    resources = (Resource.objects.visible_to(scope).active()
                 .select_related("community", "provider_user").order_by("provider_name", "pk")[:MAX_CANDIDATES])
    ranked = rank(resources, order)
    return ranked[:limit] if limit else ranked


def talents(scope, text="", limit=TALENT_LIMIT):
    """Living retirees of the scope with professional specialties, those matching ``text`` (any word) first."""
    people = (Person.objects.visible_to(scope).alive().exclude(specialties="")
              .select_related("community").only("pk", "name", "specialties", "community__name", "name_pinyin"))
    wanted = words(text)
    if wanted:
        condition = Q()
        for word in wanted:
            condition |= Q(specialties__icontains=word) | Q(hobbies__icontains=word)
        people = people.filter(condition)
    return list(people.order_by("name_pinyin", "pk")[:limit])
