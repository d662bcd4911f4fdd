"""Houses, households, residents and the tags that mark special groups."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.core import clock
from civicgrid.core.models import Territorial, TimeStamped
from civicgrid.core.protected import ProtectedField


class House(Territorial, TimeStamped):
    """A dwelling with a door plate. Its code never changes, even when grids are redrawn."""

    unit = models.ForeignKey(
        "territory.Territory", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="houses"
    )
    house_code = models.CharField(_("house code"), max_length=16, unique=True)
    address = models.CharField(_("address"), max_length=200)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("house")
        verbose_name_plural = _("houses")
        indexes = [models.Index(fields=["territory_path"], name="house_scope_idx")]

    def __str__(self) -> str:
        return f"{self.house_code} {self.address}"


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    MOVED_OUT = "moved_out", _("moved out")
    DISSOLVED = "dissolved", _("dissolved")


class Household(Territorial, TimeStamped):
    house = models.ForeignKey(
        House, verbose_name=_("house"), on_delete=models.PROTECT, related_name="households"
    )
    number = models.CharField(_("household number"), max_length=24, unique=True)
    head = models.ForeignKey(
        "Resident",
        verbose_name=_("household head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=HouseholdStatus.choices, default=HouseholdStatus.ACTIVE
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        indexes = [models.Index(fields=["territory_path", "id"], name="household_scope_idx")]

    def __str__(self) -> str:
        return self.number


class Gender(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")


class Relation(models.TextChoices):
    HEAD = "head", _("head of household")
    SPOUSE = "spouse", _("spouse")
    CHILD = "child", _("child")
    PARENT = "parent", _("parent")
    GRANDCHILD = "grandchild", _("grandchild")
    GRANDPARENT = "grandparent", _("grandparent")
    SIBLING = "sibling", _("sibling")
    CHILD_IN_LAW = "child_in_law", _("son- or daughter-in-law")
    OTHER = "other", _("other")


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", _("registered resident")
    FLOATING = "floating", _("floating resident")
    RELOCATED = "relocated", _("relocated resident")


class RelocationType(models.TextChoices):
    NONE = "", _("—")
    RESERVOIR = "reservoir", _("reservoir resettlement")
    ECOLOGICAL = "ecological", _("ecological relocation")
    POVERTY = "poverty", _("poverty-alleviation relocation")


class ResidentStatus(models.TextChoices):
    PRESENT = "present", _("present")
    AWAY = "away", _("living away")
    MOVED_OUT = "moved_out", _("moved out")
    DECEASED = "deceased", _("deceased")


class Resident(Territorial, TimeStamped):
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    relation = models.CharField(
        _("relation to head"), max_length=16, choices=Relation.choices, default=Relation.OTHER
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, db_index=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    id_number = ProtectedField(_("ID number"), kind="id_number")
    # Blind indexes are only ever matched exactly: their index and unique constraint are declared in
    # Meta, where PostgreSQL gets no second, `varchar_pattern_ops` index for LIKE (nothing to gain, and
    # two more random-key indexes to keep up on every insert of a bulk import).
    id_number_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    phone = ProtectedField(_("phone"), kind="phone")
    phone_hash = models.CharField(max_length=64, blank=True, editable=False)
    residence_type = models.CharField(
        _("residence type"), max_length=16, choices=ResidenceType.choices, default=ResidenceType.REGISTERED
    )
    relocation_type = models.CharField(
        _("relocation type"), max_length=16, choices=RelocationType.choices, blank=True, default=""
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ResidentStatus.choices, default=ResidentStatus.PRESENT
    )

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        indexes = [
            models.Index(fields=["territory_path", "id"], name="resident_scope_idx"),
            models.Index(fields=["phone_hash"], name="resident_phone_hash_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], name="resident_id_number_hash_unique"),
            models.CheckConstraint(
                condition=Q(residence_type="relocated") | Q(relocation_type=""),
                name="relocation_type_only_when_relocated",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def age(self) -> int:
        today = clock.today()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))


class TagTarget(models.TextChoices):
    RESIDENT = "resident", _("resident")
    HOUSEHOLD = "household", _("household")


class Tag(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=60)
    target = models.CharField(
        _("applies to"), max_length=16, choices=TagTarget.choices, default=TagTarget.RESIDENT
    )
    # Sensitive tags (disability, low income, rehabilitation, mental health, corrections) are shown
    # only to roles holding registry.view_sensitive.
    sensitive = models.BooleanField(_("sensitive"), default=False)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["code"]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class Tagging(Territorial):
    tag = models.ForeignKey(Tag, verbose_name=_("tag"), on_delete=models.PROTECT, related_name="taggings")
    resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.CASCADE, related_name="taggings"
    )
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.CASCADE, related_name="taggings"
    )
    since = models.DateField(_("since"), default=clock.today)
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("tagging")
        verbose_name_plural = _("taggings")
        constraints = [
            models.CheckConstraint(
                condition=Q(resident__isnull=False, household__isnull=True)
                | Q(resident__isnull=True, household__isnull=False),
                name="tagging_one_target",
            ),
            models.UniqueConstraint(
                fields=["tag", "resident"],
                name="tagging_unique_resident",
                condition=Q(resident__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["tag", "household"],
                name="tagging_unique_household",
                condition=Q(household__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["territory_path"], name="tagging_scope_idx")]

    def __str__(self) -> str:
        return str(self.tag)


class MoveKind(models.TextChoices):
    MOVE_IN = "move_in", _("moved in")
    MOVE_OUT = "move_out", _("moved out")
    BIRTH = "birth", _("born")
    DEATH = "death", _("died")
    TRANSFER = "transfer", _("changed household")


class ResidentMove(Territorial):
    """The move-in / move-out history of a resident, one row per change."""

    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="moves"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MoveKind.choices)
    from_household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    on = models.DateField(_("date"), default=clock.today)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("move")
        verbose_name_plural = _("moves")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["territory_path", "on"], name="move_scope_idx")]

    def __str__(self) -> str:
        return f"{self.resident} {self.get_kind_display()} {self.on}"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("uploaded")
    CHECKING = "checking", _("checking")
    CHECKED = "checked", _("checked")
    IMPORTING = "importing", _("importing")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ImportJob(Territorial, TimeStamped):
    """One uploaded file, its dry-run report and, once confirmed, its import. Progress is polled."""

    territory = models.ForeignKey("territory.Territory", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    all_or_nothing = models.BooleanField(default=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    created_rows = models.PositiveIntegerField(default=0)
    updated_rows = models.PositiveIntegerField(default=0)
    unchanged_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row": n, "field": f, "message": m}]
    message = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["territory_path"], name="import_scope_idx")]

    def __str__(self) -> str:
        return self.filename

    @property
    def progress_percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class ReviewStatus(models.TextChoices):
    """Where a proposal waiting in the review queue stands."""

    WAITING = "waiting", _("waiting for review")
    APPROVED = "approved", _("approved")
    MERGED = "merged", _("merged with an existing resident")
    REJECTED = "rejected", _("rejected")


class CorrectionSource(models.TextChoices):
    VISIT = "visit", _("home visit")
    STAFF = "staff", _("staff")
    PORTAL = "portal", _("resident portal")


class Reviewed(Territorial, TimeStamped):
    """What every proposal in the review queue carries: who decided, when, and why not."""

    status = models.CharField(
        _("status"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.WAITING
    )
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        abstract = True


class RegistryCorrection(Reviewed):
    """A proposed change of a household's or a resident's registry fields, applied once reviewed.

    `changes` maps each field to its proposed value; for ID number and phone it holds None and the
    value sits encrypted in the protected columns, so the queue can show it masked.
    """

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="corrections"
    )
    resident = models.ForeignKey(
        Resident,
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    changes = models.JSONField(_("changes"), default=dict)
    id_number = ProtectedField(_("ID number"), kind="id_number")
    phone = ProtectedField(_("phone"), kind="phone")
    note = models.CharField(_("note"), max_length=500, blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=CorrectionSource.choices, default=CorrectionSource.VISIT
    )
    proposed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("registry correction")
        verbose_name_plural = _("registry corrections")
        indexes = [
            models.Index(fields=["status", "territory_path", "id"], name="correction_queue_idx"),
            models.Index(fields=["territory_path"], name="correction_scope_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.household} {', '.join(self.changes)}"


class SelfRegistrationKind(models.TextChoices):
    REGISTER = "register", _("register a household")
    UPDATE = "update", _("update my details")


class SelfRegistration(Reviewed):
    """A "letter from home" (家书): residents register themselves from the door plate, for review."""

    house = models.ForeignKey(
        House, verbose_name=_("house"), on_delete=models.PROTECT, related_name="self_registrations"
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=SelfRegistrationKind.choices, default=SelfRegistrationKind.REGISTER
    )
    code = models.CharField(_("tracking code"), max_length=20, unique=True)
    idempotency_key = models.CharField(max_length=80, unique=True, editable=False)
    note = models.CharField(_("note"), max_length=500, blank=True)
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="self_registrations",
    )

    class Meta:
        verbose_name = _("self-registration")
        verbose_name_plural = _("self-registrations")
        indexes = [
            models.Index(fields=["status", "territory_path", "id"], name="selfreg_queue_idx"),
            models.Index(fields=["territory_path"], name="selfreg_scope_idx"),
        ]

    def __str__(self) -> str:
        return self.code


class SelfRegistrationPerson(models.Model):
    """One person of a self-registration: the resident themselves first, then their household."""

    registration = models.ForeignKey(SelfRegistration, on_delete=models.CASCADE, related_name="people")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    relation = models.CharField(
        _("relation to head"), max_length=16, choices=Relation.choices, default=Relation.OTHER
    )
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    id_number = ProtectedField(_("ID number"), kind="id_number")
    id_number_hash = models.CharField(max_length=64, db_index=True, editable=False)
    phone = ProtectedField(_("phone"), kind="phone")
    resident = models.ForeignKey(Resident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["registration", "position"]

    def __str__(self) -> str:
        return self.name
