"""Registry routes for the scope matrix (yinfa/core/tests/test_scope_matrix.py): the county-A person's file and
its rows (a contact, an honour, a document, a life event, a death), asked for by county B."""

import datetime


def _row(o, name, make):
    """One county-A row per matrix, made on first use and kept on the objects."""
    attr = f"registry_{name}"
    if getattr(o, attr, None) is None:
        setattr(o, attr, make(o))
    return getattr(o, attr)


def _contact(o):
    from yinfa.people.models import Contact

    return _row(o, "contact", lambda o: Contact.objects.create(person=o.person, relation="spouse",
                                                                name="甲县老同志家属", phone="13912345678"))


def _honour(o):
    from yinfa.people.models import Honour

    return _row(o, "honour", lambda o: Honour.objects.create(person=o.person, title="甲县老同志荣誉"))


def _document(o):
    from yinfa.people.models import Document

    # No file is written to the media folder here: the row is enough for the route (the view looks the row up
    # through the visible people before it opens any file; test_file_events downloads a real one).
    return _row(o, "document", lambda o: Document.objects.create(
        person=o.person, title="甲县老同志文件", content_type="application/pdf", size=9,
        file=f"people/{o.person.uid}/matrix.pdf"))


def _event(o):
    from yinfa.people.models import LifeEvent, LifeEventKind

    return _row(o, "event", lambda o: LifeEvent.objects.create(
        person=o.person, kind=LifeEventKind.HOSPITAL, starts_on=datetime.date(2026, 1, 1), place="甲县人民医院"))


def _death(o):
    from yinfa.people.models import LifeEvent, LifeEventKind, Person

    def make(o):
        # A second county-A person who died, so that o.person stays living for the other routes.
        from yinfa.people.tests.factories import make_person

        dead = make_person(o.world.unit_a, name="甲县老同志", deceased_on=datetime.date(2026, 1, 2))
        Person.objects.filter(pk=dead.pk).update(deceased_on=datetime.date(2026, 1, 2))
        return LifeEvent.objects.create(person=dead, kind=LifeEventKind.DEATH, starts_on=datetime.date(2026, 1, 2))

    return _row(o, "death", make)


def _person(o):
    return {"pk": o.person.pk}


ROUTES = {
    "people:person_detail": (_person, "admin_b"),
    "people:person_history": (_person, "admin_b"),
    "people:person_edit": (lambda o: {"pk": o.person.pk, "section": "living"}, "admin_b"),
    "people:health_edit": (_person, "admin_b"),
    "people:person_reveal": (_person, "admin_b"),
    "people:contact_add": (_person, "admin_b"),
    "people:contact_edit": (lambda o: {"pk": _contact(o).pk}, "admin_b"),
    "people:contact_delete": (lambda o: {"pk": _contact(o).pk}, "admin_b"),
    "people:honour_add": (_person, "admin_b"),
    "people:honour_edit": (lambda o: {"pk": _honour(o).pk}, "admin_b"),
    "people:honour_delete": (lambda o: {"pk": _honour(o).pk}, "admin_b"),
    "people:document_add": (_person, "admin_b"),
    "people:document_download": (lambda o: {"pk": _document(o).pk}, "admin_b"),
    "people:document_delete": (lambda o: {"pk": _document(o).pk}, "admin_b"),
    "people:event_add": (lambda o: {"pk": o.person.pk, "kind": "hospital"}, "admin_b"),
    "people:event_edit": (lambda o: {"pk": _event(o).pk}, "admin_b"),
    "people:event_delete": (lambda o: {"pk": _event(o).pk}, "admin_b"),
    "people:death_record": (_person, "admin_b"),
    "people:death_undo": (lambda o: {"pk": _death(o).pk}, "admin_b"),
}
