"""Case lists, deadline boards and department metrics, read from the task tables with asyncpg.

Cases (case_list) and rectification orders (order_list) share one clock, so they share the
boards; the metrics count them apart, and add the ratings of evaluation_list.
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from dataclasses import replace
from datetime import date, datetime, timedelta
from uuid import UUID

import asyncpg

from application.queries import (
    BoardItem,
    CallerCase,
    CaseCounts,
    CaseFilter,
    CaseSummary,
    DayCount,
    DepartmentMetrics,
    EscalatedItem,
    EvaluationMetrics,
    OrderFilter,
    OrderMetrics,
    OrderSummary,
    Page,
    Proposal,
    RoutingItem,
    WindowMetrics,
)
from domain.actor import Role
from domain.calendar import WorkingCalendar, office_midnight
from domain.privacy import ROLES_SEEING_FULL_IDENTITY
from infrastructure.read_side import NewestFirstPage, ReadsThePast, from_row
from infrastructure.worker import TASK_TABLES

CASE_LIST_PROJECTION = "case_list"
ORDER_LIST_PROJECTION = "order_list"
EVALUATION_LIST_PROJECTION = "evaluation_list"
# Reminders by hand (人工催办): one table per sort of task, read alike.
REMINDER_PROJECTIONS = ("case_reminders", "order_reminders")
OPEN_FOR_BOARD = ("assigned", "in_progress")
ORDERS_OPEN_FOR_BOARD = ("issued", "in_progress")
SATISFIED = ("very_satisfied", "satisfied")
FINISHED = ("closed", "merged")
AWAITING_A_DEPARTMENT = ("registered", "returned")
BAD_RATING = 2
# The five counts of a distribution of ratings, 1 to 5.
_BY_RATING = ", ".join(f"count(*) FILTER (WHERE rating = {r})" for r in range(1, 6))


def _overdue_sql(awaiting: str, handling: str) -> str:
    """Whether a task is overdue at $1 (now): the deadline that binds it has passed. A task
    without such a deadline (praise has none) is not overdue: false, never NULL."""
    return (
        f"COALESCE((status = '{awaiting}' AND acknowledge_due_at <= $1)"
        f" OR (status IN ('{awaiting}', '{handling}') AND NOT clock_stopped AND due_at <= $1),"
        " false)"
    )


def _sql_list(values: tuple[str, ...]) -> str:
    """Constant statuses written into the SQL, so the planner matches the open-task indexes
    (their predicates name the same statuses; a bound parameter could not be matched)."""
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


OVERDUE_SQL = _overdue_sql("assigned", "in_progress")
ORDER_OVERDUE_SQL = _overdue_sql("issued", "in_progress")

# The fields of one entry of case_assignments.assignments that the metrics read.
_ASSIGNMENT_FIELDS = """
    department text, assigned_at timestamptz, acknowledge_due_at timestamptz,
    due_at timestamptz, acknowledged_at timestamptz, clock_stopped_at timestamptz,
    answered_at timestamptz, closed_at timestamptz, satisfaction text, left_at timestamptz
"""
# The department still holds the case and has neither answered nor closed it.
_HELD_OPEN = "a.left_at IS NULL AND a.answered_at IS NULL AND a.closed_at IS NULL"

SUMMARY_COLUMNS = f"""
    id, tracking_number, kind, channel, status, department, assigned_department, window_id,
    category, urgent, registered_at, updated_at, acknowledge_due_at, due_at,
    clock_stopped, satisfaction, registered_position, {OVERDUE_SQL} AS overdue,
    extension_requested, proposal_status, proposal_rule, proposal_staff, proposal_window,
    proposal_points
"""


ORDER_SUMMARY_COLUMNS = f"""
    id, tracking_number, status, department, window_id, staff_id, problem, source_type,
    source_ref, issued_at, issued_by, acknowledge_due_at, due_at, clock_stopped,
    extension_requested, supervised_at, reports, rejections, closed_at, issued_position,
    {ORDER_OVERDUE_SQL} AS overdue
"""


def summary_column(role: Role) -> str:
    """The summary a reader in this role may read: whole for those who see the complainant
    whole, else the one with their identity masked (DESIGN §3). Searching reads the same
    column, so a search cannot tell a department what its answers do not show."""
    return "summary" if role in ROLES_SEEING_FULL_IDENTITY else "department_summary"


class CaseQueriesOnPostgres(ReadsThePast):
    """The case queries over the projected tables, waiting (boundedly) for a client's write."""

    projections = (CASE_LIST_PROJECTION,)

    async def list_cases(
        self,
        criteria: CaseFilter,
        *,
        role: Role,
        visible_to_department: str | None,
        limit: int,
        cursor: str | None,
        now: datetime,
        after: int | None,
    ) -> Page:
        summary = summary_column(role)
        page = NewestFirstPage("registered_position", limit=limit, cursor=cursor, args=[now])
        page.where_equal(
            assigned_department=visible_to_department,
            status=criteria.status,
            department=criteria.department,
            kind=criteria.kind,
            channel=criteria.channel,
            urgent=criteria.urgent,
            extension_requested=criteria.extension_requested,
            proposal_status=criteria.proposal,
        )
        page.where_holds(OVERDUE_SQL, criteria.overdue)
        _where_mentioning(page, summary, criteria.text)
        _where_within_days(page, "registered_at", criteria.registered_from, criteria.registered_to)
        _where_within_days(page, "due_at", criteria.due_from, criteria.due_to)
        return await self.fetch_page(
            page,
            f"SELECT {SUMMARY_COLUMNS}, {summary} AS summary FROM case_list",
            _summary,
            after=after,
        )

    async def list_orders(
        self,
        criteria: OrderFilter,
        *,
        visible_to_department: str | None,
        limit: int,
        cursor: str | None,
        now: datetime,
        calendar: WorkingCalendar,
        after: int | None,
    ) -> Page:
        page = NewestFirstPage("issued_position", limit=limit, cursor=cursor, args=[now])
        # Apart from the filter's department: a department confined to its own may name it.
        page.where_equal(department=visible_to_department)
        page.where_equal(
            status=criteria.status,
            department=criteria.department,
            window_id=criteria.window,
            staff_id=criteria.staff,
            extension_requested=criteria.extension_requested,
        )
        page.where_holds(ORDER_OVERDUE_SQL, criteria.overdue)
        _where_mentioning(page, "problem", criteria.text)
        _where_within_days(page, "issued_at", criteria.issued_from, criteria.issued_to)
        return await self.fetch_page(
            page,
            f"SELECT {ORDER_SUMMARY_COLUMNS} FROM order_list",
            lambda row: _order_summary(row, now, calendar),
            after=after,
            projections=(ORDER_LIST_PROJECTION,),
        )

    async def board(
        self,
        department: str,
        *,
        role: Role,
        now: datetime,
        calendar: WorkingCalendar,
        after: int | None,
    ) -> Page:
        position, caught_up = await self.projected(
            after, (CASE_LIST_PROJECTION, ORDER_LIST_PROJECTION, *REMINDER_PROJECTIONS)
        )
        rows = await self.store.fetch(
            _open_tasks_sql(role, "assigned_department = $2", "department = $2"),
            now,
            department,
        )
        return Page(
            items=[_board_item(row, now, calendar) for row in rows],
            next=None,
            position=position,
            caught_up=caught_up,
        )

    async def cases_of_caller(self, phone_digest: str, *, limit: int) -> list[CallerCase]:
        rows = await self.store.fetch(
            "SELECT id, tracking_number, kind, status, registered_at FROM case_list"
            " WHERE phone_digest = $1 ORDER BY registered_position DESC LIMIT $2",
            phone_digest,
            limit,
        )
        return [from_row(CallerCase, row) for row in rows]

    async def open_cases_at_window(
        self, window: str, *, since: datetime, now: datetime, role: Role, limit: int
    ) -> list[CaseSummary]:
        rows = await self.store.fetch(
            f"SELECT {SUMMARY_COLUMNS}, {summary_column(role)} AS summary FROM case_list"
            f" WHERE window_id = $2 AND registered_at >= $3"
            f" AND status NOT IN {_sql_list(FINISHED)}"
            " ORDER BY registered_at DESC LIMIT $4",
            now,
            window,
            since,
            limit,
        )
        return [_summary(row) for row in rows]

    async def task_id_of(self, tracking_number: str) -> UUID | None:
        """The case or rectification order this tracking number was given to, if any (a
        number is read aloud in upper or lower case: both find it)."""
        return await self.store.fetchval(
            "SELECT id FROM case_list WHERE tracking_number = upper($1)"
            " UNION ALL SELECT id FROM order_list WHERE tracking_number = upper($1) LIMIT 1",
            tracking_number,
        )

    async def open_provisional_tasks(self) -> int:
        """How many open cases and rectification orders have a deadline on a provisional
        calendar: the worker recomputes them once their year is published."""
        counts = " + ".join(
            f"(SELECT count(*) FROM {table} WHERE provisional AND status = ANY(${n}))"
            for n, (table, _) in enumerate(TASK_TABLES, start=1)
        )
        return int(await self.store.fetchval(f"SELECT {counts}", *(s for _, s in TASK_TABLES)))

    async def routing_queue(self, *, now: datetime, role: Role, limit: int) -> list[RoutingItem]:
        rows = await self.store.fetch(
            f"SELECT {SUMMARY_COLUMNS}, {summary_column(role)} AS summary,"
            " return_reason, returned_by, final FROM case_list"
            f" WHERE status IN {_sql_list(AWAITING_A_DEPARTMENT)}"
            " ORDER BY registered_position LIMIT $2",
            now,
            limit,
        )
        return [
            RoutingItem(
                case=_summary(row),
                department=row["department"],
                return_reason=row["return_reason"],
                returned_by=row["returned_by"],
                final=row["final"],
            )
            for row in rows
        ]

    async def department_metrics(
        self, departments: list[str], *, start: datetime, end: datetime, now: datetime
    ) -> list[DepartmentMetrics]:
        # One row per assignment made in the period (case_assignments): each department that
        # held a case is judged on its own part (docs/api.md, "Department metrics").
        rows = await self.store.fetch(
            f"""
            SELECT a.department,
              count(*) AS assigned,
              count(*) FILTER (WHERE {_HELD_OPEN}) AS open,
              count(*) FILTER (WHERE a.answered_at IS NOT NULL) AS answered,
              count(*) FILTER (WHERE a.closed_at IS NOT NULL) AS closed,
              count(*) FILTER (
                WHERE {_HELD_OPEN} AND (
                  (a.acknowledged_at IS NULL AND a.acknowledge_due_at <= $1)
                  OR (a.clock_stopped_at IS NULL AND a.due_at <= $1))
              ) AS overdue,
              count(*) FILTER (WHERE a.acknowledged_at <= a.acknowledge_due_at)
                AS acknowledged_on_time,
              count(*) FILTER (
                WHERE a.acknowledged_at IS NOT NULL
                   OR a.acknowledge_due_at < coalesce(a.left_at, $1)
              ) AS acknowledge_judged,
              count(*) FILTER (WHERE a.answered_at <= a.due_at) AS completed_on_time,
              count(*) FILTER (
                WHERE a.acknowledged_at IS NOT NULL AND a.due_at IS NOT NULL
                  AND (a.answered_at IS NOT NULL
                       OR a.due_at < coalesce(a.clock_stopped_at, a.left_at, $1))
              ) AS completion_judged,
              count(*) FILTER (WHERE a.satisfaction = ANY($4::text[])) AS satisfied,
              count(*) FILTER (WHERE a.satisfaction IS NOT NULL) AS called_back
            FROM case_assignments c
            CROSS JOIN LATERAL jsonb_to_recordset(c.assignments) AS a({_ASSIGNMENT_FIELDS})
            WHERE c.last_assigned_at >= $2 AND c.first_assigned_at < $3
              AND a.assigned_at >= $2 AND a.assigned_at < $3
            GROUP BY a.department
            """,
            now,
            start,
            end,
            list(SATISFIED),
        )
        found = {row["department"]: row for row in rows}
        orders = await self._order_metrics(start=start, end=end, now=now)
        ratings = await self._rating_metrics("department", start=start, end=end)
        reminders = await self._reminder_counts(start=start, end=end)
        return [
            replace(
                _metrics(department, found.get(department)),
                orders=orders.get(department, OrderMetrics()),
                rated=ratings.get(department, EvaluationMetrics()),
                reminders=reminders.get(department, 0),
            )
            for department in departments
        ]

    async def _reminder_counts(self, *, start: datetime, end: datetime) -> dict[str, int]:
        """The reminders sent by hand to each department in the period, on cases and orders."""
        rows = await self.store.fetch(
            """
            SELECT department, count(*) AS reminders FROM (
                SELECT department FROM case_reminders WHERE sent_at >= $1 AND sent_at < $2
                UNION ALL
                SELECT department FROM order_reminders WHERE sent_at >= $1 AND sent_at < $2
            ) AS sent
            GROUP BY department
            """,
            start,
            end,
        )
        return {row["department"]: int(row["reminders"]) for row in rows}

    async def _order_metrics(
        self, *, start: datetime, end: datetime, now: datetime
    ) -> dict[str, OrderMetrics]:
        rows = await self.store.fetch(
            f"""
            SELECT department,
              count(*) AS issued,
              count(*) FILTER (WHERE status IN ('issued', 'in_progress')) AS open,
              count(*) FILTER (WHERE status = 'reported') AS reported,
              count(*) FILTER (WHERE status = 'closed') AS closed,
              count(*) FILTER (WHERE {ORDER_OVERDUE_SQL}) AS overdue,
              coalesce(sum(rejections), 0) AS rejections,
              count(*) FILTER (WHERE acknowledged_at <= acknowledge_due_at) AS acknowledged_on_time,
              count(*) FILTER (WHERE acknowledged_at IS NOT NULL OR acknowledge_due_at < $1)
                AS acknowledge_judged,
              count(*) FILTER (
                WHERE status IN ('reported', 'closed') AND reported_at <= reported_due_at
              ) AS reported_on_time,
              count(*) FILTER (
                WHERE status IN ('reported', 'closed')
                   OR (status IN ('issued', 'in_progress') AND due_at < $1)
              ) AS report_judged
            FROM order_list
            WHERE issued_at >= $2 AND issued_at < $3
            GROUP BY department
            """,
            now,
            start,
            end,
        )
        fields = [f.name for f in dataclass_fields(OrderMetrics)]
        return {row["department"]: OrderMetrics(**{f: int(row[f]) for f in fields}) for row in rows}

    async def _rating_metrics(
        self, column: str, *, start: datetime, end: datetime
    ) -> dict[str, EvaluationMetrics]:
        # `column` is one of two constants (department, window_id), never a caller's text.
        rows = await self.store.fetch(
            f"""
            SELECT {column} AS subject, count(*) AS ratings, sum(rating) AS rating_total,
                   count(*) FILTER (WHERE rating <= {BAD_RATING}) AS bad_ratings,
                   ARRAY[{_BY_RATING}] AS by_rating
            FROM evaluation_list
            WHERE rated_at >= $1 AND rated_at < $2
            GROUP BY {column}
            """,
            start,
            end,
        )
        return {
            row["subject"]: EvaluationMetrics(
                ratings=int(row["ratings"]),
                rating_total=int(row["rating_total"]),
                bad_ratings=int(row["bad_ratings"]),
                by_rating=tuple(int(count) for count in row["by_rating"]),  # type: ignore[arg-type]
            )
            for row in rows
        }

    async def window_metrics(
        self, windows: list[tuple[str, str]], *, start: datetime, end: datetime
    ) -> list[WindowMetrics]:
        found = await self._rating_metrics("window_id", start=start, end=end)
        return [
            WindowMetrics(
                window=window,
                department=department,
                **vars(found.get(window, EvaluationMetrics())),
            )
            for window, department in windows
        ]

    async def overdue_per_day(self, day_ends: list[tuple[date, datetime]]) -> list[DayCount]:
        # Each assignment as it stood at the day's end: still held and unanswered, and past
        # the acknowledge deadline unacknowledged or past the handling deadline with the
        # clock running. A case counts once a day however many deadlines it missed.
        rows = await self.store.fetch(
            f"""
            SELECT d.day, count(DISTINCT c.case_id) AS overdue
            FROM unnest($1::date[], $2::timestamptz[]) AS d(day, at)
            LEFT JOIN (
              case_assignments c
              CROSS JOIN LATERAL jsonb_to_recordset(c.assignments) AS a({_ASSIGNMENT_FIELDS})
            ) ON c.first_assigned_at <= d.at AND a.assigned_at <= d.at
              AND (a.left_at IS NULL OR a.left_at > d.at)
              AND (a.answered_at IS NULL OR a.answered_at > d.at)
              AND (a.closed_at IS NULL OR a.closed_at > d.at)
              AND (
                ((a.acknowledged_at IS NULL OR a.acknowledged_at > d.at)
                  AND a.acknowledge_due_at <= d.at)
                OR ((a.clock_stopped_at IS NULL OR a.clock_stopped_at > d.at)
                  AND a.due_at <= d.at))
            GROUP BY d.day
            ORDER BY d.day
            """,
            [day for day, _ in day_ends],
            [at for _, at in day_ends],
        )
        return [DayCount(day=row["day"], count=int(row["overdue"])) for row in rows]

    async def case_counts(self, *, start: datetime, end: datetime) -> CaseCounts:
        rows = await self.store.fetch(
            """
            SELECT GROUPING(kind) = 0 AS by_kind, kind, category, count(*) AS cases
            FROM case_list
            WHERE registered_at >= $1 AND registered_at < $2
            GROUP BY GROUPING SETS ((kind), (category))
            ORDER BY cases DESC, kind, category
            """,
            start,
            end,
        )
        return CaseCounts(
            by_kind=[(row["kind"], int(row["cases"])) for row in rows if row["by_kind"]],
            by_category=[
                (row["category"], int(row["cases"])) for row in rows if not row["by_kind"]
            ],
        )

    async def escalated_work(
        self,
        superior: str | None,
        *,
        role: Role,
        now: datetime,
        calendar: WorkingCalendar,
        after: int | None,
    ) -> list[EscalatedItem]:
        """The open work escalated to `superior` (下级超期件), or to the inspectors when None
        (提级督办): the most pressing first, each with the department that holds it."""
        await self.projected(after, (CASE_LIST_PROJECTION, ORDER_LIST_PROJECTION))
        escalated = "escalated_at IS NOT NULL AND escalated_to IS NOT DISTINCT FROM $2"
        rows = await self.store.fetch(_open_tasks_sql(role, escalated, escalated), now, superior)
        return [
            EscalatedItem(
                item=_board_item(row, now, calendar),
                department=row["department"],
                escalated_at=row["escalated_at"],
            )
            for row in rows
        ]


def _where_mentioning(page: NewestFirstPage, column: str, text: str | None) -> None:
    """Keep the rows whose `column` or tracking number holds the text, if any is given, as
    it is: its `%`, `_` and `\\` match themselves."""
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        page.where(f"({column} ILIKE ? OR tracking_number ILIKE ?)", f"%{escaped}%")


def _summary(row: asyncpg.Record) -> CaseSummary:
    return from_row(
        CaseSummary,
        row,
        window=row["window_id"],
        position=row["registered_position"],
        proposal=_proposal(row),
    )


def _proposal(row: asyncpg.Record) -> Proposal | None:
    if row["proposal_status"] is None:
        return None
    return Proposal(
        status=row["proposal_status"],
        rule=row["proposal_rule"],
        staff=row["proposal_staff"],
        window=row["proposal_window"],
        points=row["proposal_points"],
    )


def _order_summary(row: asyncpg.Record, now: datetime, calendar: WorkingCalendar) -> OrderSummary:
    binding = {"issued": "acknowledge", "in_progress": "handle"}.get(row["status"])
    due = row["acknowledge_due_at"] if binding == "acknowledge" else row["due_at"]
    running = binding is not None and due is not None and not row["clock_stopped"]
    return from_row(
        OrderSummary,
        row,
        window=row["window_id"],
        staff=row["staff_id"],
        binding_deadline=binding,
        working_seconds_left=calendar.working_seconds_left(now, due) if running else None,
        supervised=row["supervised_at"] is not None,
        position=row["issued_position"],
    )


def _open_tasks_sql(role: Role, cases_where: str, orders_where: str) -> str:
    """The open cases and orders that match, the most pressing first ($1 is now), each with
    the reminders sent by hand to the department holding it."""
    clock_columns = (
        "acknowledge_due_at, due_at, clock_stopped, extension_requested, reminded_for, "
        "supervised_at, public_notice_at, r.reminders, r.last_reminded_at, "
        "r.last_reminder_message"
    )
    case_reminders = _reminders_to(
        "case_reminders",
        "case_list",
        "assigned_department",
        quoted=role in ROLES_SEEING_FULL_IDENTITY,
    )
    order_reminders = _reminders_to("order_reminders", "order_list", "department", quoted=True)
    return f"""
        SELECT * FROM (
            SELECT id, 'case' AS type, tracking_number, kind, status, urgent,
                   {summary_column(role)} AS summary,
                   {clock_columns}, {OVERDUE_SQL} AS overdue,
                   status = 'assigned' AS awaiting, registered_position AS position,
                   assigned_department AS department, escalated_at
            FROM case_list
            {case_reminders}
            WHERE {cases_where} AND status IN {_sql_list(OPEN_FOR_BOARD)}
            UNION ALL
            SELECT id, 'rectification_order', tracking_number, 'rectification_order',
                   status, false, problem, {clock_columns}, {ORDER_OVERDUE_SQL},
                   status = 'issued', issued_position, department, escalated_at
            FROM order_list
            {order_reminders}
            WHERE {orders_where} AND status IN {_sql_list(ORDERS_OPEN_FOR_BOARD)}
        ) AS tasks
        ORDER BY COALESCE(CASE WHEN awaiting THEN acknowledge_due_at END, due_at,
                          acknowledge_due_at) NULLS LAST, position
        """


def _board_item(row: asyncpg.Record, now: datetime, calendar: WorkingCalendar) -> BoardItem:
    awaiting = row["awaiting"]
    binding = row["acknowledge_due_at"] if awaiting else row["due_at"]
    left = None if binding is None else calendar.working_seconds_left(now, binding)
    return from_row(
        BoardItem,
        row,
        binding_deadline="acknowledge" if awaiting else "handle",
        working_seconds_left=left,
        reminded=row["reminded_for"] is not None and row["reminded_for"] == row["due_at"],
        supervised=row["supervised_at"] is not None,
        public_notice=row["public_notice_at"] is not None,
        reminders=int(row["reminders"]),
    )


def _reminders_to(reminders: str, tasks: str, holder: str, *, quoted: bool) -> str:
    """The join that gives each task of `tasks` the count and the last of the reminders sent
    by hand to the department holding it (its column `holder`); all names are constants.

    A reminder's message may quote a complainant, and the table keeps it as typed: unless
    `quoted`, it is left out (a department reads it on the case page, masked there as the
    case's other text is, DESIGN §3)."""
    last = "(array_agg(message ORDER BY position DESC))[1]" if quoted else "NULL::text"
    return f"""
        CROSS JOIN LATERAL (
            SELECT count(*) AS reminders, max(sent_at) AS last_reminded_at,
                   {last} AS last_reminder_message
            FROM {reminders} WHERE task_id = {tasks}.id AND department = {tasks}.{holder}
        ) AS r"""


def _metrics(department: str, row: asyncpg.Record | None) -> DepartmentMetrics:
    fields = (
        "assigned",
        "open",
        "answered",
        "closed",
        "overdue",
        "acknowledged_on_time",
        "acknowledge_judged",
        "completed_on_time",
        "completion_judged",
        "satisfied",
        "called_back",
    )
    return DepartmentMetrics(
        department=department, **{name: int(row[name]) if row else 0 for name in fields}
    )


def _where_within_days(
    page: NewestFirstPage, column: str, first: date | None, last: date | None
) -> None:
    """Keep the rows whose moment falls from the office's first day to its last, both whole."""
    if first is not None:
        page.where(f"{column} >= ?", office_midnight(first))
    if last is not None:
        page.where(f"{column} < ?", office_midnight(last + timedelta(days=1)))
