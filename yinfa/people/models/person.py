"""The person file (一人一档): one retired cadre, anchored to up to four places of the organisation tree.

Anchors (design.md, data scope): ``unit`` (原工作单位), ``branch`` (the branch holding the party membership),
``community`` (where the person lives) and ``registered_community`` (社区报到). A user sees a person when one
of these lies in the subtree of the role in use.

ID number, phone and address are encrypted at rest (``EncryptedTextField`` encrypts in ``pre_save``, so
``save()`` and ``bulk_create()`` work; ``QuerySet.update()`` and ``bulk_update()`` must not touch them).
"""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from yinfa.core.fields import BlindIndexField, EncryptedTextField
from yinfa.core.models import normalize_mobile
from yinfa.people import idnumbers
from yinfa.people.pinyin import name_pinyin
from yinfa.people.querysets import PersonQuerySet

# Joined revolutionary work before this day: 离休; otherwise 退休.
LIXIU_CUTOFF = datetime.date(1949, 10, 1)


class Gender(models.TextChoices):
    MALE = idnumbers.MALE, _("Male")
    FEMALE = idnumbers.FEMALE, _("Female")


class Category(models.TextChoices):
    LIXIU = "lixiu", _("Lixiu (retired, joined before 1949-10-01)")
    TUIXIU = "tuixiu", _("Tuixiu (retired)")


class LixiuPeriod(models.TextChoices):
    """The five period bands of 离休 cadres, by the day they joined revolutionary work."""

    UP_TO_1927_07_31 = "1", _("Up to 1927-07-31 (First Revolutionary Civil War)")
    FROM_1927_08_01 = "2", _("1927-08-01 to 1937-07-06 (Agrarian Revolutionary War)")
    FROM_1937_07_07 = "3", _("1937-07-07 to 1942-12-31 (War of Resistance, first period)")
    FROM_1943_01_01 = "4", _("1943-01-01 to 1945-09-02 (War of Resistance, second period)")
    FROM_1945_09_03 = "5", _("1945-09-03 to 1949-09-30 (War of Liberation)")


_PERIOD_STARTS = (
    (datetime.date(1945, 9, 3), LixiuPeriod.FROM_1945_09_03),
    (datetime.date(1943, 1, 1), LixiuPeriod.FROM_1943_01_01),
    (datetime.date(1937, 7, 7), LixiuPeriod.FROM_1937_07_07),
    (datetime.date(1927, 8, 1), LixiuPeriod.FROM_1927_08_01),
)


def lixiu_period_band(joined_revolution_on):
    """The 离休 period band for the day a person joined revolutionary work; None from 1949-10-01 on."""
    if joined_revolution_on is None or joined_revolution_on >= LIXIU_CUTOFF:
        return None
    for starts_on, band in _PERIOD_STARTS:
        if joined_revolution_on >= starts_on:
            return band
    return LixiuPeriod.UP_TO_1927_07_31


class Level(models.TextChoices):
    """职级/待遇 as used in the statistical returns, from the highest."""

    PROVINCIAL_FULL = "provincial_full", _("Provincial or ministerial, full")
    PROVINCIAL_DEPUTY = "provincial_deputy", _("Provincial or ministerial, deputy")
    BUREAU_FULL = "bureau_full", _("Department or bureau, full")
    BUREAU_DEPUTY = "bureau_deputy", _("Department or bureau, deputy")
    COUNTY_FULL = "county_full", _("County or division, full")
    COUNTY_DEPUTY = "county_deputy", _("County or division, deputy")
    SECTION_FULL = "section_full", _("Township or section, full")
    SECTION_DEPUTY = "section_deputy", _("Township or section, deputy")
    CLERK = "clerk", _("Section member, clerk and other")


class PoliticalStatus(models.TextChoices):
    PARTY_MEMBER = "party_member", _("CPC member")
    PROBATIONARY = "probationary", _("Probationary CPC member")
    MASSES = "masses", _("Non-party (the masses)")
    DEMOCRATIC_PARTY = "democratic_party", _("Member of a democratic party")


# Whose membership is held by a CPC branch.
CPC_STATUSES = frozenset({PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY})


class LivingStatus(models.TextChoices):
    ALONE = "alone", _("Lives alone")
    EMPTY_NEST = "empty_nest", _("Empty nest (no children nearby)")
    WITH_SPOUSE = "with_spouse", _("Lives with spouse")
    WITH_CHILDREN = "with_children", _("Lives with children")
    CARE_HOME = "care_home", _("Lives in a care home")


class SelfCare(models.TextChoices):
    INDEPENDENT = "independent", _("Independent")
    PARTLY = "partly", _("Partly dependent")
    DEPENDENT = "dependent", _("Dependent")


# anchor foreign key -> the column holding a copy of its tree path
ANCHOR_PATH_FIELDS = {
    "unit": "unit_path",
    "branch": "branch_path",
    "community": "community_path",
    "registered_community": "registered_path",
}


def normalize_id_number(value):
    return idnumbers.index_form(value)


class Person(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # identity
    name = models.CharField(_("name"), max_length=60)
    name_pinyin = models.CharField(_("name in pinyin"), max_length=200, blank=True, editable=False)
    name_initials = models.CharField(_("initials"), max_length=60, blank=True, editable=False)
    former_name = models.CharField(_("former name"), max_length=60, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnic group"), max_length=20, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birthday_is_lunar = models.BooleanField(_("birthday kept by the lunar calendar"), default=False)
    native_place = models.CharField(_("native place"), max_length=60, blank=True)
    id_number = EncryptedTextField(_("ID number"))
    id_number_index = BlindIndexField(source="id_number", normalizer=normalize_id_number)
    phone = EncryptedTextField(_("phone number"))
    phone_index = BlindIndexField(source="phone", normalizer=normalize_mobile)
    address = EncryptedTextField(_("address"))
    landline = EncryptedTextField(_("landline"))
    # career and retirement
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    joined_work_on = models.DateField(_("joined work on"), null=True, blank=True)
    joined_revolution_on = models.DateField(_("joined revolutionary work on"), null=True, blank=True)
    joined_party_on = models.DateField(_("joined the party on"), null=True, blank=True)
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    former_position = models.CharField(_("former position"), max_length=60, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, blank=True)
    treatment = models.CharField(_("treatment enjoyed"), max_length=20, choices=Level.choices, blank=True)
    treatment_approved_on = models.DateField(_("treatment approved on"), null=True, blank=True)
    treatment_approval_no = models.CharField(_("treatment approval document"), max_length=60, blank=True)
    managing_unit = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="people_managed", verbose_name=_("managing unit"))
    political_status = models.CharField(_("political status"), max_length=20, choices=PoliticalStatus.choices,
                                        blank=True)
    party_roles = models.CharField(_("party roles"), max_length=120, blank=True)
    # the four anchors
    unit = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, related_name="people_of_unit",
                             verbose_name=_("former work unit"))
    branch = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="people_of_branch", verbose_name=_("party branch"))
    community = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="residents", verbose_name=_("community of residence"))
    registered_community = models.ForeignKey(
        "core.OrgNode", on_delete=models.PROTECT, null=True, blank=True, related_name="registered_people",
        verbose_name=_("community registered with"))
    # living
    living_status = models.CharField(_("living situation"), max_length=20, choices=LivingStatus.choices,
                                     blank=True)
    self_care = models.CharField(_("self-care ability"), max_length=20, choices=SelfCare.choices, blank=True)
    lives_elsewhere = models.BooleanField(_("lives in another city"), default=False)
    elsewhere_place = models.CharField(_("where they live elsewhere"), max_length=120, blank=True)
    # talents and interests (银发人才库)
    specialties = models.TextField(_("professional specialties"), blank=True)
    hobbies = models.CharField(_("hobbies"), max_length=200, blank=True)
    social_positions = models.TextField(_("social positions"), blank=True)
    rehired = models.BooleanField(_("re-employed after retirement"), default=False)
    deceased_on = models.DateField(_("died on"), null=True, blank=True)
    # the retiree's own account for the portal, if any
    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="person", verbose_name=_("own account"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Incremented by every change through the services; a form posts the version it read (optimistic lock).
    version = models.PositiveIntegerField(default=1, editable=False)
    # Copies of the anchors' tree paths, kept in step on save and when a subtree moves, so scoping a
    # million people is four indexed prefix scans and no join (see README, design notes).
    unit_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    branch_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    community_path = models.CharField(max_length=255, blank=True, default="", editable=False)
    registered_path = models.CharField(max_length=255, blank=True, default="", editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name_pinyin", "id"]
        indexes = [
            models.Index(fields=["name_pinyin", "id"], name="person_name_order"),
            models.Index(fields=["name_initials"], name="person_initials"),
            models.Index(fields=["name"], name="person_name"),
            models.Index(fields=["category", "deceased_on"], name="person_category_alive"),
            models.Index(fields=["unit", "deceased_on"], name="person_unit_alive"),
            models.Index(fields=["community", "deceased_on"], name="person_community_alive"),
            models.Index(fields=["deceased_on"], name="person_deceased"),
            models.Index(fields=["birth_date"], name="person_birth_date"),
            # Prefix (LIKE 'x%') searches: pattern operator classes on PostgreSQL, plain indexes elsewhere.
            *[models.Index(fields=[column], name=f"person_{column}_prefix", opclasses=["varchar_pattern_ops"])
              for column in ("unit_path", "branch_path", "community_path", "registered_path", "name_pinyin",
                             "name_initials")],
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_number_index"], condition=~models.Q(id_number_index=""),
                                    name="person_unique_id_number"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.fill_derived()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            derived = set()
            if "name" in update_fields:
                derived |= {"name_pinyin", "name_initials"}
            derived |= {ANCHOR_PATH_FIELDS[f] for f in update_fields if f in ANCHOR_PATH_FIELDS}
            kwargs["update_fields"] = {*update_fields, *derived}
        super().save(*args, **kwargs)

    def fill_derived(self):
        """Values computed from others: the pinyin of the name and the anchors' tree paths."""
        self.name_pinyin, self.name_initials = name_pinyin(self.name)
        for field, path_field in ANCHOR_PATH_FIELDS.items():
            node_id = getattr(self, f"{field}_id")
            if node_id is None:
                setattr(self, path_field, "")
                continue
            node = self._state.fields_cache.get(field)
            if node is None or node.pk != node_id:
                node = getattr(self, field)  # one query when only the id was set
            setattr(self, path_field, node.path)

    @property
    def is_deceased(self):
        return self.deceased_on is not None

    @property
    def lixiu_period(self):
        return lixiu_period_band(self.joined_revolution_on) if self.category == Category.LIXIU else None

    def age_on(self, day):
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def clean(self):
        errors = {}
        if self.id_number:
            try:
                parsed = idnumbers.parse(self.id_number)
            except idnumbers.IdNumberError as exc:
                errors["id_number"] = exc.message
            else:
                self.id_number = parsed.number
                if self.birth_date and self.birth_date != parsed.birth_date:
                    errors["birth_date"] = _("The date of birth differs from the one in the ID number.")
                if self.gender and self.gender != parsed.gender:
                    errors["gender"] = _("The gender differs from the one in the ID number.")
        joined = self.joined_revolution_on
        if self.category == Category.LIXIU and (joined is None or joined >= LIXIU_CUTOFF):
            errors["joined_revolution_on"] = _("A lixiu cadre joined revolutionary work before 1949-10-01.")
        if self.category == Category.TUIXIU and joined is not None and joined < LIXIU_CUTOFF:
            errors["category"] = _("Whoever joined revolutionary work before 1949-10-01 is a lixiu cadre.")
        if self.deceased_on and self.birth_date and self.deceased_on < self.birth_date:
            errors["deceased_on"] = _("The date of death is before the date of birth.")
        if errors:
            raise ValidationError(errors)
