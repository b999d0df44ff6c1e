"""Test helpers for person files."""

import datetime
import itertools

from yinfa.people import idnumbers
from yinfa.people.models import Category, Gender, Person

_sequence = itertools.count(1)


def make_person(unit, *, name="王国华", category=Category.TUIXIU, born=datetime.date(1955, 3, 8), gender=Gender.MALE,
                save=True, **values):
    n = next(_sequence)
    sequence = (n * 2 + (1 if gender == Gender.MALE else 0)) % 1000
    values.setdefault("id_number", idnumbers.make("379921", born, sequence))
    values.setdefault("phone", f"139{n:08d}")
    if category == Category.LIXIU:
        values.setdefault("joined_revolution_on", datetime.date(1947, 5, 1))
    person = Person(name=name, category=category, gender=gender, birth_date=born, unit=unit, **values)
    if save:
        person.save()
    return person
