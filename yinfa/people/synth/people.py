"""The retirees of one synthetic county, drawn with the demo county's generator."""

import random

from yinfa.core.demo.loader import person_from_record
from yinfa.core.demo.people import MOBILE_PREFIXES, PeopleGenerator
from yinfa.core.models import OrgNode


class CountyGenerator(PeopleGenerator):
    """The demo generator, with mobile numbers unique across the province: the county's own block of four digits
    (a bijection of the county number) followed by four random ones."""

    def __init__(self, rng, county, number):
        super().__init__(rng, county)
        self.block = f"{number * 7919 % 10000:04d}"

    def mobile(self):
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + self.block + f"{self.rng.randrange(10 ** 4):04d}"
            if number not in self.phones:
                self.phones.add(number)
                return number


def county_records(job, seed):
    """The PersonRecords of one county (no database)."""
    generator = CountyGenerator(random.Random(f"{seed}:people:{job.number}"), job.plan, job.number)
    return [generator.person(category, unit) for category, unit in generator.unit_slots(job.people, job.lixiu)]


def county_people(job, seed):
    """Unsaved Person objects of one county, their anchors set to node stubs that carry id and path (so no
    query is needed to fill the anchor path copies)."""
    nodes = {code: OrgNode(pk=pk, path=path) for code, (pk, path) in job.nodes.items()}
    return [person_from_record(record, nodes) for record in county_records(job, seed)]
