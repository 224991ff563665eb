"""Import jobs: the services the views and the background task call.

A stage (validation, then the commit) runs on the background worker. A worker
killed in the middle (a restart, out of memory, SIGKILL) leaves no error
behind, only a job that says "validating" or "committing" for ever; nothing is
half-written (the commit is one transaction). `recover` notices: validation
reports progress every `PROGRESS_EVERY` rows, so no sign of life for
`STALLED_AFTER` means its worker is gone; a commit only says when it started.
The stage is then started again, at most `MAX_ATTEMPTS` times in all, after
which the job fails with a message saying nothing was written. The job's page
runs `recover` each time it is looked at (it polls every second), and a daily
job sweeps the jobs nobody is watching.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Final

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.audit.services import in_record_language, record
from congvu.core import daily

from ..import_models import ImportJob
from ..models import Organisation
from .columns import Kind
from .reading import ImportFileError, check_upload, read_rows
from .staff_validation import plan_staff
from .validation import Plan, Progress, plan_organisations
from .writing import write_organisations, write_staff

logger = logging.getLogger(__name__)

MAX_STORED_ERRORS = 1_000

Status = ImportJob.Status

#: Silence after which a running stage is taken for dead. Validation beats every
#: 2,000 rows (about a second each, `docs/benchmarks.md`); the commit of 40,000
#: staff members takes well under a minute.
STALLED_AFTER: Final = {
    Status.VALIDATING: dt.timedelta(minutes=5),
    Status.COMMITTING: dt.timedelta(minutes=30),
}
#: Starts of one stage before the job is given up: a file that kills the worker
#: each time (memory) must not keep killing it.
MAX_ATTEMPTS: Final = 3


def make_plan(
    job: ImportJob, rows: list[dict[str, Any]], *, user: Any, progress: Progress | None = None
) -> Plan:
    planner = plan_organisations if job.kind == Kind.ORGANISATIONS else plan_staff
    plan = planner(rows, user=user, scope=job.scope, progress=progress)
    plan.errors.sort(key=lambda e: e["row"])
    return plan


def create_job(*, actor: Any, kind: str, scope: Organisation, upload: UploadedFile) -> ImportJob:
    """Store an uploaded file as a new job; raises ImportFileError for a file we cannot read."""
    access.require(actor, Perm.IMPORT_RUN, scope)
    check_upload(upload)
    job = ImportJob(
        kind=kind,
        scope=scope,
        uploaded_by=actor,
        original_name=(upload.name or "")[:255],
    )
    job.file.save(f"{kind}.xlsx", upload, save=False)
    job.save()
    return job


def _set_progress(job: ImportJob) -> Progress:
    def progress(done: int) -> None:
        # `updated_at` is the heartbeat `recover` reads (update() does not touch it).
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=done, updated_at=timezone.now())

    return progress


PLAN_FIELDS = ("row_errors", "error_count", "to_create", "to_update", "to_keep")


def _store_plan(job: ImportJob, plan: Plan) -> None:
    job.row_errors = plan.errors[:MAX_STORED_ERRORS]
    job.error_count = len(plan.errors)
    job.to_create = len(plan.create)
    job.to_update = len(plan.update)
    job.to_keep = plan.unchanged


def validate_job(job: ImportJob) -> ImportJob:
    """Parse and check every row; nothing but the job itself is written."""
    job.status = Status.VALIDATING
    job.processed_rows = 0
    job.save(update_fields=["status", "processed_rows", "updated_at"])
    try:
        with job.file.open("rb") as handle:
            rows = read_rows(handle, job.kind)
    except ImportFileError as exc:
        job.status = Status.FAILED
        job.message = str(exc)[:500]
        job.save(update_fields=["status", "message", "updated_at"])
        return job
    ImportJob.objects.filter(pk=job.pk).update(total_rows=len(rows))
    plan = make_plan(job, rows, user=job.uploaded_by, progress=_set_progress(job))
    job.rows = rows
    job.total_rows = job.processed_rows = len(rows)
    _store_plan(job, plan)
    job.status = Status.PREVIEWED
    job.validated_at = timezone.now()
    job.save()
    return job


def request_commit(job: ImportJob, *, actor: Any) -> bool:
    """Claim a previewed job for committing; False when it is not (or no longer) committable."""
    access.require(actor, Perm.IMPORT_RUN, job.scope)
    claimed = ImportJob.objects.filter(
        pk=job.pk, status=Status.PREVIEWED, error_count=0, total_rows__gt=0
    ).update(
        status=Status.COMMITTING,
        committed_by=actor,
        processed_rows=0,
        message="",
        attempts=0,
        updated_at=timezone.now(),
    )
    return bool(claimed)


def commit_job(job: ImportJob) -> ImportJob:
    """Write every row in one transaction, after checking them again against today's data."""
    actor = job.committed_by
    today = timezone.localdate()
    with transaction.atomic():
        # A commit started again by `recover` while the first one was only slow: the
        # first finished (or failed) while this one waited for the lock.
        if (
            not ImportJob.objects.select_for_update()
            .filter(pk=job.pk, status=Status.COMMITTING)
            .exists()
        ):
            job.refresh_from_db()
            return job
        # Checked again inside the transaction (which holds SQLite's write lock from
        # the start): the tree or the user's scope may have changed since the preview.
        plan = make_plan(job, job.rows, user=actor)
        if not plan.ok:
            _store_plan(job, plan)
            job.status = Status.PREVIEWED
            job.message = _(
                "Dữ liệu đã thay đổi từ lúc xem trước; chưa ghi gì, hãy xem lại các lỗi. / "
                "Data changed since the preview; nothing was written."
            )
            job.save(update_fields=[*PLAN_FIELDS, "status", "message", "updated_at"])
            return job
        if job.kind == Kind.ORGANISATIONS:
            write_organisations(plan, today=today)
        else:
            write_staff(plan, today=today)
        job.created_count = len(plan.create)
        job.updated_count = len(plan.update)
        job.unchanged_count = plan.unchanged
        job.processed_rows = job.total_rows
        job.status = Status.DONE
        job.committed_at = timezone.now()
        job.rows = []  # written now; the uploaded file stays as the record of what came in
        job.save(
            update_fields=[
                "created_count",
                "updated_count",
                "unchanged_count",
                "processed_rows",
                "status",
                "committed_at",
                "rows",
                "updated_at",
            ]
        )
        with in_record_language():
            record(
                "import.commit",
                actor=actor,
                obj=job,
                organisation=job.scope,
                summary=f"{job.get_kind_display()}: {job.original_name}",
                data={
                    "kind": job.kind,
                    "file": job.original_name,
                    "rows": job.total_rows,
                    "created": job.created_count,
                    "updated": job.updated_count,
                    "unchanged": job.unchanged_count,
                },
            )
    return job


def run(job_id: int) -> None:
    """Advance a job by one stage; the background task's body."""
    job = ImportJob.objects.select_related("scope", "uploaded_by", "committed_by").get(pk=job_id)
    try:
        if job.status in {Status.UPLOADED, Status.VALIDATING}:
            _started(job)
            validate_job(job)
        elif job.status == Status.COMMITTING:
            _started(job)
            commit_job(job)
    except Exception:
        logger.exception("import job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=Status.FAILED,
            message=_(
                "Lỗi hệ thống khi xử lý tệp; không có dữ liệu nào được ghi. / "
                "System error while processing the file; nothing was written."
            ),
        )
        raise


def _started(job: ImportJob) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    job.refresh_from_db(fields=["attempts", "updated_at"])


def is_stalled(job: ImportJob, now: dt.datetime | None = None) -> bool:
    """Whether `job`'s running stage has shown no sign of life for `STALLED_AFTER`."""
    limit = STALLED_AFTER.get(Status(job.status)) if job.status in Status.values else None
    return limit is not None and job.updated_at < (now or timezone.now()) - limit


def recover(job: ImportJob, *, now: dt.datetime | None = None) -> bool:
    """Start a stalled stage again, or fail the job after `MAX_ATTEMPTS` starts.

    Returns whether anything was done; `job` is refreshed when so. One caller wins
    when several look at once (the row is locked and checked again).
    """
    now = now or timezone.now()
    if not is_stalled(job, now):
        return False
    with transaction.atomic():
        fresh = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not is_stalled(fresh, now):
            return False
        if fresh.attempts >= MAX_ATTEMPTS:
            fresh.status = Status.FAILED
            fresh.message = _(
                "Hệ thống bị dừng giữa chừng nhiều lần khi xử lý tệp này; không có dữ liệu nào "
                "được ghi. Hãy tải tệp lên lại, hoặc chia thành các tệp nhỏ hơn. / The system "
                "stopped several times while processing this file; nothing was written. Upload "
                "it again, or split it into smaller files."
            )
            fresh.save(update_fields=["status", "message", "updated_at"])
            logger.error("import job %s given up after %s attempts", fresh.pk, fresh.attempts)
        else:
            if fresh.status == Status.VALIDATING:
                fresh.status = Status.UPLOADED  # validated again from the file
            fresh.save(update_fields=["status", "updated_at"])
            logger.warning("import job %s stalled in %s: started again", fresh.pk, job.status)
            from ..tasks import run_import  # the task module imports this one

            transaction.on_commit(lambda: run_import.enqueue(fresh.pk), robust=True)
    job.refresh_from_db()
    return True


def recover_stalled(day: dt.date | None = None) -> int:
    """The daily sweep: `recover` every running job; returns how many it acted on."""
    running = ImportJob.objects.filter(status__in=list(STALLED_AFTER)).defer("rows", "row_errors")
    return sum(recover(job) for job in running)


daily.register("organisations.import_watchdog", recover_stalled)
