"""The parts of a person file that come in many rows: contacts and family, health, honours, documents, life events."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yinfa.core.fields import EncryptedTextField
from yinfa.core.uploads import stored_name


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Brother or sister")
    OTHER_RELATIVE = "relative", _("Other relative")
    OTHER = "other", _("Other (friend, neighbour, carer)")


class Contact(models.Model):
    """A family member or another contact; emergency contacts and survivors (遗属) are flagged."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="contacts")
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    name = models.CharField(_("name"), max_length=60)
    phone = EncryptedTextField(_("phone number"))
    alive = models.BooleanField(_("alive"), default=True)
    lives_together = models.BooleanField(_("lives with the person"), default=False)
    is_emergency = models.BooleanField(_("emergency contact"), default=False)
    is_survivor = models.BooleanField(_("survivor to keep visiting"), default=False)
    dependant = models.BooleanField(_("dependant"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["person", "-is_emergency", "relation", "id"]
        indexes = [models.Index(fields=["is_survivor"], name="contact_survivor")]

    def __str__(self):
        return self.name


class HealthStatus(models.TextChoices):
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")
    CRITICAL = "critical", _("Critically ill")


class Health(models.Model):
    """Health details (sensitive): readable only with the health permission. One row per person."""

    person = models.OneToOneField("people.Person", on_delete=models.CASCADE, related_name="health")
    status = models.CharField(_("state of health"), max_length=20, choices=HealthStatus.choices, blank=True)
    chronic_conditions = models.TextField(_("chronic conditions"), blank=True)
    disabilities = models.CharField(_("disabilities"), max_length=200, blank=True)
    medical_entitlement = models.CharField(_("medical entitlement"), max_length=120, blank=True)
    contract_hospital = models.CharField(_("contract hospital"), max_length=120, blank=True)
    last_checkup_on = models.DateField(_("last check-up on"), null=True, blank=True)
    checkup_summary = models.TextField(_("check-up summary"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("health record")
        verbose_name_plural = _("health records")

    def __str__(self):
        return str(self.person)


class HonourKind(models.TextChoices):
    AWARD = "award", _("Award")
    SPECIAL_CONTRIBUTION = "special", _("Special contribution")
    DISCIPLINE = "discipline", _("Disciplinary action")


class Honour(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="honours")
    kind = models.CharField(_("kind"), max_length=20, choices=HonourKind.choices, default=HonourKind.AWARD)
    title = models.CharField(_("title"), max_length=200)
    awarded_on = models.DateField(_("date"), null=True, blank=True)
    awarded_by = models.CharField(_("awarded by"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["person", "-awarded_on", "id"]

    def __str__(self):
        return self.title


class DocumentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")


def document_path(instance, filename):
    return stored_name(f"people/{instance.person.uid}", filename)


class Document(models.Model):
    """A photo or a scanned document of the file. Served only through a scoped view, never as public media."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.DOCUMENT)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_path, max_length=300)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["person", "-uploaded_at", "-id"]

    def __str__(self):
        return self.title


class LifeEventKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital stay")
    AWAY = "away", _("Going away (domestic)")
    ABROAD = "abroad", _("Going abroad")
    RELOCATION = "relocation", _("Living in another city")
    DEATH = "death", _("Death")


class LifeEvent(models.Model):
    """A recorded event in a person's life: hospital stay, going away or abroad (外出/出国备案), relocation
    (异地安置), death. Diagnosis and cause of death are health data."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="life_events")
    kind = models.CharField(_("kind"), max_length=20, choices=LifeEventKind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)  # hospital, destination, new city
    department = models.CharField(_("department"), max_length=120, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    diagnosis = models.TextField(_("diagnosis or cause"), blank=True)  # health data
    farewell = models.CharField(_("farewell arrangements"), max_length=200, blank=True)
    pension_recipient = models.CharField(_("recipient of the death benefit"), max_length=60, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("life event")
        verbose_name_plural = _("life events")
        ordering = ["person", "-starts_on", "-id"]
        indexes = [models.Index(fields=["kind", "ends_on"], name="lifeevent_open")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.starts_on}"

    @property
    def is_open(self):
        return self.ends_on is None and self.kind != LifeEventKind.DEATH
