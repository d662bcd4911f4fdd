"""Importing residents from CSV or XLSX: parse, check every row (dry run), then write.

The check lists every bad row and why. Writing happens in one transaction: in "all or nothing" mode
any bad row stops the whole import; otherwise the valid rows are written and the bad ones skipped.
Rows are keyed by ID number (through its keyed hash), so importing the same file again changes
nothing. Progress goes to the cache, which the page polls; the final counts go to the job row.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civicgrid.audit.services import audit_record
from civicgrid.core import clock, paths
from civicgrid.core.errors import ApplicationError
from civicgrid.registry.import_files import (
    REQUIRED,
    FileProblem,
    Row,
    normalise_values,
    read_rows,
)
from civicgrid.registry.importing_bulk import BulkWriter, apply_changes
from civicgrid.registry.models import (
    House,
    Household,
    ImportJob,
    ImportStatus,
    MoveKind,
    Resident,
    ResidentMove,
    Tag,
    Tagging,
)
from civicgrid.registry.services import (
    clean_resident_data,
    field_label,
    next_household_number,
)

# Rows read, checked (and, on the bulk path, written) together; progress is published once a batch.
BATCH = 2000
# From this many rows on, an import is written by the bulk writer (COPY on PostgreSQL).
BULK_FROM_ROWS = 5000


@dataclass
class Checked:
    row: Row
    clean: dict
    house: House
    tags: list[Tag] = field(default_factory=list)


class Checker:
    """Validates rows against the file itself and the database, within the job's territory.

    Both writers (the ORM one for small files, the bulk one for large) take their rows from here,
    so a row is judged the same way whichever writes it.
    """

    def __init__(self, job: ImportJob):
        self.job = job
        # ID number digest → row number: kept for the whole file, so bytes, not hex text.
        self.seen_ids: dict[bytes, int] = {}
        self.houses: dict[str, House | None] = {}
        self.tags = {t.code: t for t in Tag.objects.all()} | {t.name_zh: t for t in Tag.objects.all()}
        # Households this import creates are not "held elsewhere" for a later row of the same file:
        # the writer decides about those, whether it writes as it goes or only once all is checked.
        self.households_before = Household.objects.aggregate(last=Max("id"))["last"] or 0

    def load_houses(self, codes) -> None:
        """The houses of one batch of rows, in one query; only the batch's houses are kept."""
        wanted = {(c or "").strip().upper() for c in codes} - {""}
        self.houses = dict.fromkeys(wanted)
        for house in House.objects.filter(house_code__in=wanted).only(
            "id", "house_code", "territory_path", "unit_id"
        ):
            # A house outside the job's territory stays None: as good as unknown.
            if paths.is_within(house.territory_path, self.job.territory_path):
                self.houses[house.house_code] = house

    def _house(self, code: str) -> House | None:
        code = code.strip().upper()
        if code not in self.houses:
            self.load_houses([code])
        return self.houses[code]

    def check(self, row: Row) -> Checked:
        values = row.values
        for key in REQUIRED:
            if not (values.get(key) or "").strip():
                raise ApplicationError(
                    _("%(field)s is required.") % {"field": field_label(key)}, field=key, code="missing"
                )
        house = self._house(values["house_code"])
        if house is None:
            raise ApplicationError(
                _("Unknown house code %(code)s.") % {"code": values["house_code"]},
                field="house_code",
                code="unknown_house",
            )
        clean = clean_resident_data(normalise_values(values))
        id_key = bytes.fromhex(clean["id_number_hash"])
        if id_key in self.seen_ids:
            raise ApplicationError(
                _("Duplicate: the same ID number is on row %(row)s.") % {"row": self.seen_ids[id_key]},
                field="id_number",
                code="duplicate",
            )
        self.seen_ids[id_key] = row.number
        tags = []
        for label in filter(
            None, (t.strip() for t in (values.get("tags") or "").replace("、", ";").split(";"))
        ):
            tag = self.tags.get(label)
            if tag is None:
                raise ApplicationError(
                    _("Unknown tag %(tag)s.") % {"tag": label}, field="tags", code="unknown_tag"
                )
            tags.append(tag)
        return Checked(row=row, clean=clean, house=house, tags=tags)

    def check_against_database(self, batch: list[Checked]) -> list[tuple[Checked, ApplicationError]]:
        """What only the database knows, a batch at a time: people and household numbers held elsewhere."""
        problems = []
        hashes = [c.clean["id_number_hash"] for c in batch]
        elsewhere = set(
            Resident.objects.filter(id_number_hash__in=hashes)
            .exclude(paths.subtree_q("territory_path", self.job.territory_path))
            .values_list("id_number_hash", flat=True)
        )
        numbers = {(c.row.values.get("household_number") or "").strip() for c in batch} - {""}
        number_house = dict(
            Household.objects.filter(number__in=numbers, id__lte=self.households_before).values_list(
                "number", "house_id"
            )
        )
        for c in batch:
            number = (c.row.values.get("household_number") or "").strip()
            if c.clean["id_number_hash"] in elsewhere:
                problems.append(
                    (
                        c,
                        ApplicationError(
                            _("This person is registered in another place."),
                            field="id_number",
                            code="elsewhere",
                        ),
                    )
                )
            elif number in number_house and number_house[number] != c.house.pk:
                problems.append(
                    (
                        c,
                        ApplicationError(
                            _("Household %(n)s belongs to another house.") % {"n": number},
                            field="household_number",
                            code="household_elsewhere",
                        ),
                    )
                )
        return problems


def _progress(job: ImportJob, done: int, phase: str) -> None:
    cache.set(f"import-progress:{job.pk}", {"done": done, "total": job.total_rows, "phase": phase}, 3600)


def progress_of(job: ImportJob) -> dict:
    live = cache.get(f"import-progress:{job.pk}")
    if live and job.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING):
        return live
    return {"done": job.processed_rows, "total": job.total_rows, "phase": job.status}


def _error(row: Row, exc: ApplicationError) -> dict:
    return {"row": row.number, "field": exc.field or "", "code": exc.code, "message": str(exc.message)}


def checked_batches(job: ImportJob, phase: str, errors: list[dict]) -> Iterator[list[Checked]]:
    """The file's valid rows, a batch at a time, as the file is read; bad rows go to `errors`.

    Once the generator is exhausted, `errors` is in row order and `job.total_rows` is exact.
    """
    with job.file.open("rb") as handle:
        total, rows = read_rows(job.filename, handle)
        job.total_rows = total
        checker = Checker(job)
        done = 0
        while chunk := list(itertools.islice(rows, BATCH)):
            done += len(chunk)
            checker.load_houses(row.values.get("house_code") for row in chunk)
            batch = []
            for row in chunk:
                try:
                    batch.append(checker.check(row))
                except ApplicationError as exc:
                    errors.append(_error(row, exc))
            rejected = {id(c): exc for c, exc in checker.check_against_database(batch)}
            for c in batch:
                if id(c) in rejected:
                    errors.append(_error(c.row, rejected[id(c)]))
            yield [c for c in batch if id(c) not in rejected]
            _progress(job, done, phase)
    errors.sort(key=lambda e: e["row"])
    job.total_rows = done


def _checked_rows(job: ImportJob, phase: str) -> tuple[list[Checked], list[dict]]:
    errors: list[dict] = []
    good = [c for batch in checked_batches(job, phase, errors) for c in batch]
    return good, errors


def import_check(job: ImportJob) -> ImportJob:
    """The dry run: every row checked, nothing written but the report."""
    job.status = ImportStatus.CHECKING
    job.save(update_fields=["status"])
    errors: list[dict] = []
    try:
        valid = sum(len(batch) for batch in checked_batches(job, "checking", errors))
    except FileProblem as exc:
        job.status, job.message, job.errors = ImportStatus.FAILED, str(exc.message), []
        job.save(update_fields=["status", "message", "errors"])
        return job
    job.processed_rows = job.total_rows
    job.valid_rows = valid
    job.errors = errors
    job.status = ImportStatus.CHECKED
    job.save(update_fields=["status", "total_rows", "processed_rows", "valid_rows", "errors"])
    return job


@transaction.atomic
def _write(job: ImportJob, good: list[Checked], actor) -> dict:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    households: dict[tuple, Household] = {}
    existing: dict[str, Resident] = {}
    hashes = [c.clean["id_number_hash"] for c in good]
    for i in range(0, len(hashes), 1000):
        for r in Resident.objects.filter(id_number_hash__in=hashes[i : i + 1000]):
            existing[r.id_number_hash] = r
    for n, item in enumerate(good, start=1):
        clean, house = item.clean, item.house
        resident = existing.get(clean["id_number_hash"])
        if resident is not None and not paths.is_within(resident.territory_path, job.territory_path):
            raise ApplicationError(
                _("Row %(row)s: this person is registered in another place.") % {"row": item.row.number}
            )
        if resident is None:
            household = _household_for(households, house, item.row.values.get("household_number", ""), actor)
            resident = Resident(household=household, territory_path=household.territory_path, **clean)
            resident.save()
            ResidentMove.objects.create(
                resident=resident,
                kind=MoveKind.MOVE_IN,
                to_household=household,
                on=clock.today(),
                note=job.filename[:200],
                territory_path=household.territory_path,
            )
            if clean.get("relation") == "head" and household.head_id is None:
                household.head = resident
                household.save(update_fields=["head"])
            counts["created"] += 1
        else:
            if apply_changes(resident, clean):
                resident.updated_at = clock.now()
                resident.save()
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        for tag in item.tags:
            target = {"resident": resident} if tag.target == "resident" else {"household": resident.household}
            if target.get("household", 1) is None:
                continue
            Tagging.objects.get_or_create(
                tag=tag, **target, defaults={"territory_path": resident.territory_path}
            )
        if n % BATCH == 0:
            _progress(job, n, "importing")
    audit_record(
        actor=actor,
        action="registry.import",
        obj=job,
        summary={"file": job.filename, **counts, "skipped": len(job.errors)},
    )
    return counts


def _household_for(cache_: dict, house: House, number: str, actor) -> Household:
    """The household a new member joins: by number when given, else the active one at the house."""
    number = number.strip()
    key = (house.pk, number)
    if key in cache_:
        return cache_[key]
    if number:
        household = Household.objects.filter(number=number).first()
        if household is not None and household.house_id != house.pk:
            raise ApplicationError(_("Household %(n)s belongs to another house.") % {"n": number})
    else:
        household = Household.objects.filter(house=house, status="active").order_by("id").first()
    if household is None:
        household = Household.objects.create(
            house=house, number=number or next_household_number(house), territory_path=house.territory_path
        )
        audit_record(
            actor=actor,
            action="household.create",
            obj=household,
            summary={"number": household.number, "house": house.house_code, "via": "import"},
        )
    cache_[key] = household
    return household


def _nothing_written(job: ImportJob) -> ImportJob:
    job.status = ImportStatus.CHECKED
    job.message = ngettext(
        "Nothing was written: %(n)s row has problems.",
        "Nothing was written: %(n)s rows have problems.",
        len(job.errors),
    ) % {"n": len(job.errors)}
    job.save(update_fields=["status", "message", "errors", "valid_rows", "total_rows"])
    return job


def _write_streaming(job: ImportJob, actor) -> dict | None:
    """Check and write a batch at a time in one transaction; None when bad rows undid it all.

    In "all or nothing" mode the first bad row stops the writing, but the checking goes on so the
    report lists every bad row; the transaction is then rolled back, so nothing is written.
    """
    errors: list[dict] = []
    job.errors, valid = errors, 0  # live, so a write that fails part-way still reports what it found
    with transaction.atomic():
        writer = BulkWriter(job, actor)
        for batch in checked_batches(job, "importing", errors):
            valid += len(batch)
            if not (errors and job.all_or_nothing):
                writer.write(batch)
        job.errors, job.valid_rows = errors, valid
        if errors and job.all_or_nothing:
            transaction.set_rollback(True)
            return None
        return writer.finish()


def import_run(job: ImportJob, actor) -> ImportJob:
    """Write the file. Re-checks every row first: the data may have changed since the dry run.

    A large file is checked and written as it is read (the bulk writer); a small one is checked
    whole, then written through the ORM.
    """
    job.status = ImportStatus.IMPORTING
    job.save(update_fields=["status"])
    try:
        if job.total_rows >= BULK_FROM_ROWS:
            counts = _write_streaming(job, actor)
            if counts is None:
                return _nothing_written(job)
        else:
            good, errors = _checked_rows(job, "checking")
            job.errors, job.valid_rows = errors, len(good)
            if errors and job.all_or_nothing:
                return _nothing_written(job)
            counts = _write(job, good, actor)
    except ApplicationError as exc:
        job.status, job.message = ImportStatus.FAILED, str(exc.message)
        job.save(update_fields=["status", "message", "errors", "valid_rows", "total_rows"])
        return job
    job.created_rows, job.updated_rows, job.unchanged_rows = (
        counts["created"],
        counts["updated"],
        counts["unchanged"],
    )
    job.processed_rows = job.total_rows
    job.status = ImportStatus.DONE
    job.message = ""
    job.save()
    # The upload holds personal data in plaintext: once written, it is no longer kept.
    job.file.delete(save=True)
    return job


UPLOAD_TYPES = (".csv", ".xlsx")


@transaction.atomic
def import_upload(*, actor, territory, upload, all_or_nothing: bool) -> ImportJob:
    """Keep the uploaded file and queue its dry run. The file is checked for type and size first."""
    from django.conf import settings

    from civicgrid.registry.tasks import import_check_task

    name = (upload.name or "").rsplit("/", 1)[-1]
    if not name.lower().endswith(UPLOAD_TYPES):
        raise ApplicationError(_("Upload a .csv or .xlsx file."), field="file")
    if upload.size > settings.CIVICGRID_IMPORT_MAX_BYTES:
        raise ApplicationError(_("The file is too large."), field="file")
    head = upload.read(4)
    upload.seek(0)
    if name.lower().endswith(".xlsx") and head != b"PK\x03\x04":
        raise ApplicationError(_("This is not an .xlsx spreadsheet."), field="file")
    if name.lower().endswith(".csv") and b"\x00" in head:
        raise ApplicationError(_("This is not a text (CSV) file."), field="file")
    job = ImportJob(
        territory=territory,
        territory_path=territory.path,
        created_by=actor,
        filename=name[:200],
        all_or_nothing=all_or_nothing,
    )
    job.file.save(name, upload, save=False)
    job.save()
    audit_record(
        actor=actor,
        action="registry.import_upload",
        obj=job,
        summary={"file": name, "territory": territory.code, "all_or_nothing": all_or_nothing},
    )
    # The task row is written in this transaction, so the worker sees it only once the job exists.
    import_check_task.enqueue(job.pk)
    return job


@transaction.atomic
def import_confirm(*, actor, job: ImportJob, all_or_nothing: bool) -> ImportJob:
    from civicgrid.registry.tasks import import_run_task

    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportStatus.CHECKED:
        raise ApplicationError(_("This import is not waiting for confirmation."))
    if all_or_nothing and job.errors:
        raise ApplicationError(
            _("Some rows have problems: fix the file, or choose to import only the valid rows.")
        )
    job.all_or_nothing = all_or_nothing
    job.status = ImportStatus.IMPORTING
    job.save(update_fields=["all_or_nothing", "status"])
    audit_record(
        actor=actor, action="registry.import_confirm", obj=job, summary={"all_or_nothing": all_or_nothing}
    )
    import_run_task.enqueue(job.pk, actor.pk)
    return job
