"""One list helper for every console list: tenant scope, filters, sort, pages, CSV export.

A list is declared once as a ``ListSpec`` (which table, which columns, which filters) and
served by one call in the controller::

    from web.console.listing import Column, Filter, ListSpec, list_response

    ORDERS = ListSpec(
        name="orders",                       # CSV file name: orders-20261122.csv
        table=Order,                         # any table with a tenant / tenant_id column
        columns=(
            Column("id", "web.console.orders.number", sortable=True,
                   link=lambda row: f"/console/orders/{row['id']}"),
            Column("created_at", "web.console.orders.date", kind="datetime", sortable=True),
            Column("state", "web.console.orders.state", kind="label",
                   label_prefix="web.portal.order_state."),
            Column("total", "web.console.orders.total", kind="yen", sortable=True),
        ),
        filters=(
            Filter.choice("state", Order.state, "web.console.orders.state",
                          [(s.value, f"web.portal.order_state.{s.value}") for s in OrderState]),
            Filter.date_from("from", Order.created_at, "web.console.list.from"),
            Filter.date_to("to", Order.created_at, "web.console.list.to"),
            Filter.contains("q", (Order.payment_method,), "web.console.list.search"),
        ),
        default_sort="-created_at",
    )

    @get("/orders")
    async def orders(self, request):
        me = await staff(request, Permission.ORDERS_VIEW)      # the console's own guard
        if not isinstance(me, SignedInStaff):
            return me
        return await list_response(
            request, ORDERS, me.ctx,
            lambda listing: page(request, me, "pages/console/orders.html", listing=listing),
        )

and in the template::

    {% from "pages/console/_list.html" import list_view with context %}
    {{ list_view(listing) }}          {# filter form, CSV link, table, pager #}

What it does, so a list never does it itself:

- **Tenant scope.** Rows are read with ``tenants.scoping.scoped(spec.table, ctx)``: only the
  ambient tenant's rows (the console runs each request in ``tenant_scope``), and a context of
  another tenant raises. ``spec.where`` adds a fixed condition (e.g. ``Invoice.status != …``).
- **Query string.** ``page`` (1-based), ``sort`` (a sortable column key, ``-`` prefix for
  descending; anything else falls back to ``default_sort``), ``export=csv``, and one parameter
  per declared filter (its ``key``). ``lang`` is kept in every link. ``PER_PAGE`` rows a page
  unless ``spec.per_page`` says otherwise.
- **Filters** are declared per list: ``Filter.choice`` (a select; values outside ``choices``
  are refused), ``Filter.contains`` (case-insensitive text match on one or more columns, OR-ed),
  ``Filter.equals_int`` (an id such as ``customer_id``), ``Filter.date_from`` / ``date_to``
  (``YYYY-MM-DD``, inclusive, in the tenant's time zone for timestamps). A bad value does not
  break the page: the list shows unfiltered by it, and ``listing.errors[key]`` holds a
  ``FieldError`` (message ``web.console.list.bad_date`` / ``bad_choice`` / ``bad_number``)
  that the filter form prints under the field. A custom filter passes ``where=`` a function
  ``(value: str, ctx) -> piccolo where`` that raises ``ValueError`` for bad input.
- **Cells.** ``Column.kind``: ``text`` (as is), ``yen`` (``format_yen`` on the page, a plain
  integer in CSV so Excel sums it), ``date`` (2026/11/22 or 2026-11-22; ISO in CSV),
  ``datetime`` (tenant's time zone, ``YYYY-MM-DD HH:MM`` in CSV), ``label`` (the message
  ``label_prefix + value`` in the page's language, also in CSV). ``value=`` overrides with a
  function ``(row, fmt: Formatter) -> str`` (used for both page and CSV unless ``csv=`` is
  given). ``link=`` makes the page cell a link (``row -> href``); CSV never has links.
- **Extra data.** ``spec.enrich`` is an async ``(rows, ctx) -> None`` called on each page's
  rows (and on the CSV rows) to add keys that are not columns of the table, e.g. the customer's
  name from ``Customer``; ``Column(key=...)`` may then name such a key (not sortable).
- **CSV export** (``?export=csv`` plus the same filters and sort; ``listing.csv_url``): UTF-8
  with a BOM and CRLF line ends (Excel opens Japanese text correctly), translated headers,
  ``attachment; filename="<name>-<YYYYMMDD>.csv"``, at most ``CSV_MAX_ROWS`` rows, read in
  chunks. Above ``CSV_JOB_ABOVE`` rows the file is made by a background job instead
  (``web/console/csv_jobs.py``): the browser goes to the job's progress page, which offers
  the same file when it is done. Cells starting with ``= + - @`` get a leading ``'`` (no
  formula injection) unless the column is a number.

The page object (``ListPage``) carries: ``headers`` (label, key, sort href, current
direction), ``rows`` (each a list of ``Cell(text, href)`` plus the raw ``row`` dict),
``filters`` (declared filter, current value, error), ``page``/``pages``/``total``,
``page_url(n)``, ``csv_url``, ``errors``; the ``_list.html`` macros read only these.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from litestar import Request, Response
from piccolo.columns import Column as PiccoloColumn
from piccolo.table import Table

from core.context import Context
from core.csv_writer import csv_document
from core.errors import FieldError
from core.i18n import Translator, format_yen
from core.jobs.service import JobView, create_job
from tenants.scoping import scoped
from web.console.csv_jobs import KIND as CSV_EXPORT_KIND
from web.console.forms import as_id
from web.console.job_links import job_redirect
from web.pages import SECURITY_HEADERS, translator

PER_PAGE = 50
CSV_MAX_ROWS = 50_000
CSV_CHUNK = 1_000
CSV_JOB_ABOVE = 10_000
"""A CSV of more rows is made by a background job (``web/console/csv_jobs.py``)."""
RESERVED = frozenset({"page", "sort", "export", "lang"})

Row = dict[str, Any]
Where = Any  # a Piccolo where clause (Combinable)
CellKind = Literal["text", "yen", "date", "datetime", "label"]
FilterKind = Literal["text", "choice", "date", "number"]


@dataclass(frozen=True)
class Formatter:
    """Formats values for one request: language and the tenant's time zone."""

    _: Translator
    time_zone: str

    @property
    def language(self) -> str:
        return self._.language

    def yen(self, amount: int | None) -> str:
        return "" if amount is None else format_yen(amount, self.language)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.time_zone))

    def day(self, value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = self.local(value).date()
        return value.strftime("%Y/%m/%d" if self.language == "ja" else "%Y-%m-%d")

    def moment(self, value: datetime | None) -> str:
        if value is None:
            return ""
        return self.local(value).strftime(
            "%Y/%m/%d %H:%M" if self.language == "ja" else "%Y-%m-%d %H:%M"
        )


Display = Callable[[Row, Formatter], str]


@dataclass(frozen=True)
class Column:
    """One column of a list: ``key`` is the row key (a table column's name, or a key added by
    ``ListSpec.enrich``) and the ``sort`` value in the URL; ``label`` is a message id."""

    key: str
    label: str
    kind: CellKind = "text"
    sortable: bool = False
    label_prefix: str = ""
    value: Display | None = None
    csv: Display | None = None
    link: Callable[[Row], str] | None = None

    def display(self, row: Row, fmt: Formatter) -> str:
        if self.value is not None:
            return self.value(row, fmt)
        raw = row.get(self.key)
        if raw is None:
            return ""
        if self.kind == "yen":
            return fmt.yen(raw)
        if self.kind == "date":
            return fmt.day(raw)
        if self.kind == "datetime":
            return fmt.moment(raw)
        if self.kind == "label":
            return fmt._(f"{self.label_prefix}{raw}") if raw != "" else ""
        return str(raw)

    def csv_value(self, row: Row, fmt: Formatter) -> str:
        if self.csv is not None:
            return self.csv(row, fmt)
        raw = row.get(self.key)
        if self.value is None and raw is not None:
            if self.kind == "yen":
                return str(raw)
            if self.kind == "date":
                return (fmt.local(raw).date() if isinstance(raw, datetime) else raw).isoformat()
            if self.kind == "datetime":
                return fmt.local(raw).strftime("%Y-%m-%d %H:%M")
        return _no_formula(self.display(row, fmt))


def _no_formula(text: str) -> str:
    """Excel runs a cell starting with = + - @ as a formula; make it text instead."""
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


WhereOf = Callable[[str, Context], Where]


@dataclass(frozen=True)
class Filter:
    """One filter of a list: query parameter ``key``, message id ``label``, and ``where``
    building the condition from the raw value (``ValueError`` → the field's ``error_id``)."""

    key: str
    label: str
    where: WhereOf
    kind: FilterKind = "text"
    choices: tuple[tuple[str, str], ...] = ()  # (value, message id)
    error_id: str = "web.console.list.bad_value"

    @staticmethod
    def choice(
        key: str, column: PiccoloColumn, label: str, choices: Sequence[tuple[str, str]]
    ) -> Filter:
        allowed = {value for value, _ in choices}

        def where(value: str, ctx: Context) -> Where:
            if value not in allowed:
                raise ValueError(value)
            return column == value

        return Filter(key, label, where, "choice", tuple(choices), "web.console.list.bad_choice")

    @staticmethod
    def contains(key: str, columns: Sequence[PiccoloColumn], label: str) -> Filter:
        def where(value: str, ctx: Context) -> Where:
            pattern = f"%{value}%"  # a % or _ typed in only widens the match
            found = None
            for column in columns:
                one = column.ilike(pattern)
                found = one if found is None else found | one
            return found

        return Filter(key, label, where, "text")

    @staticmethod
    def equals_int(key: str, column: PiccoloColumn, label: str) -> Filter:
        def where(value: str, ctx: Context) -> Where:
            found = as_id(value)
            if found is None:
                raise ValueError(value)
            return column == found

        return Filter(key, label, where, "number", (), "web.console.list.bad_number")

    @staticmethod
    def date_from(key: str, column: PiccoloColumn, label: str) -> Filter:
        return Filter(key, label, _date_bound(column, upper=False), "date", (), _BAD_DATE)

    @staticmethod
    def date_to(key: str, column: PiccoloColumn, label: str) -> Filter:
        return Filter(key, label, _date_bound(column, upper=True), "date", (), _BAD_DATE)


_BAD_DATE = "web.console.list.bad_date"


def _date_bound(column: PiccoloColumn, *, upper: bool) -> WhereOf:
    """Inclusive day bound; a timestamp column compares with midnight in the tenant's zone."""
    is_date_column = column.value_type is date

    def where(value: str, ctx: Context) -> Where:
        day = date.fromisoformat(value)
        if is_date_column:
            return column <= day if upper else column >= day
        zone = ZoneInfo(ctx.tenant.time_zone)
        local = datetime.combine(day + timedelta(days=1) if upper else day, time(), zone)
        start = local.astimezone(UTC)  # SQLite compares stored UTC text
        return column < start if upper else column >= start

    return where


Enrich = Callable[[list[Row], Context], Awaitable[None]]


@dataclass(frozen=True)
class ListSpec:
    """A declared list. ``default_sort`` is a column key with an optional ``-`` (descending);
    ties are always broken by ``id`` descending so pages never overlap."""

    name: str
    table: type[Table]
    columns: tuple[Column, ...]
    filters: tuple[Filter, ...] = ()
    default_sort: str = "-id"
    per_page: int = PER_PAGE
    where: Callable[[Context], Where] | None = None
    enrich: Enrich | None = None

    def __post_init__(self) -> None:
        clash = RESERVED & {f.key for f in self.filters}
        if clash:
            raise ValueError(f"{self.name}: filter keys {sorted(clash)} are reserved")

    def sortable(self) -> set[str]:
        columns = self.table._meta.columns
        names = {c._meta.name for c in columns}
        return {c.key for c in self.columns if c.sortable and c.key in names} | {"id"}


@dataclass(frozen=True)
class ListQuery:
    """The request's page, sort and filter values, checked against the spec."""

    page: int
    sort: str
    values: dict[str, str]
    errors: dict[str, FieldError] = field(default_factory=dict)
    lang: str = ""

    def params(self, **changes: Any) -> str:
        base: dict[str, Any] = {**self.values, "sort": self.sort, "page": self.page}
        if self.lang:
            base["lang"] = self.lang
        base.update(changes)
        kept = [
            (k, v) for k, v in base.items() if v not in ("", None) and not (k == "page" and v == 1)
        ]
        return "?" + urlencode(kept)


def parse_query(spec: ListSpec, params: Mapping[str, str]) -> ListQuery:
    """Page, sort and the declared filters from a query string (unknown keys are ignored)."""
    try:
        page = max(1, int(params.get("page", "1")))
    except ValueError:
        page = 1
    sort = params.get("sort", "") or spec.default_sort
    if sort.lstrip("-") not in spec.sortable():
        sort = spec.default_sort
    values = {f.key: params.get(f.key, "").strip() for f in spec.filters}
    return ListQuery(page, sort, {k: v for k, v in values.items() if v}, {}, params.get("lang", ""))


def _conditions(spec: ListSpec, query: ListQuery, ctx: Context) -> tuple[list[Where], dict]:
    found: list[Where] = []
    errors: dict[str, FieldError] = {}
    if spec.where is not None:
        found.append(spec.where(ctx))
    for declared in spec.filters:
        value = query.values.get(declared.key, "")
        if not value:
            continue
        try:
            condition = declared.where(value, ctx)
        except (ValueError, OverflowError):  # OverflowError: a day past 9999-12-31
            errors[declared.key] = FieldError(declared.key, declared.error_id)
            continue
        if condition is not None:
            found.append(condition)
    return found, errors


def _select(spec: ListSpec, query: ListQuery, ctx: Context, conditions: list[Where]) -> Any:
    select = scoped(spec.table, ctx).select()
    for condition in conditions:
        select = select.where(condition)
    key = query.sort.lstrip("-")
    descending = query.sort.startswith("-")
    select = select.order_by(getattr(spec.table, key), ascending=not descending)
    if key != "id":
        select = select.order_by(spec.table._meta.primary_key, ascending=False)
    return select


def _count(spec: ListSpec, ctx: Context, conditions: list[Where]) -> Any:
    count = scoped(spec.table, ctx).count()
    for condition in conditions:
        count = count.where(condition)
    return count


@dataclass(frozen=True)
class Cell:
    text: str
    href: str = ""


@dataclass(frozen=True)
class Header:
    label: str
    key: str
    href: str  # "" when not sortable
    direction: str  # "ascending", "descending" or "" (for aria-sort)


@dataclass(frozen=True)
class FilterField:
    filter: Filter
    value: str
    error: FieldError | None


@dataclass(frozen=True)
class ListRow:
    row: Row
    cells: list[Cell]


@dataclass(frozen=True)
class ListPage:
    spec: ListSpec
    query: ListQuery
    headers: list[Header]
    rows: list[ListRow]
    filters: list[FilterField]
    total: int
    errors: dict[str, FieldError]

    @property
    def page(self) -> int:
        return self.query.page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.spec.per_page))

    def page_url(self, number: int) -> str:
        return self.query.params(page=number)

    @property
    def csv_url(self) -> str:
        return self.query.params(page=1, export="csv")

    @property
    def hidden(self) -> list[tuple[str, str]]:
        """What the filter form keeps besides its fields (sort and language)."""
        kept = [("sort", self.query.sort)]
        return kept + ([("lang", self.query.lang)] if self.query.lang else [])


def formatter(request: Request[Any, Any, Any], ctx: Context) -> Formatter:
    return Formatter(translator(request), ctx.tenant.time_zone)


async def fetch_page(spec: ListSpec, query: ListQuery, ctx: Context, fmt: Formatter) -> ListPage:
    """One page of rows, already formatted for the page's language."""
    conditions, errors = _conditions(spec, query, ctx)
    total = await _count(spec, ctx, conditions)
    pages = max(1, -(-total // spec.per_page))
    if query.page > pages:
        query = ListQuery(pages, query.sort, query.values, {}, query.lang)
    rows = await (
        _select(spec, query, ctx, conditions)
        .limit(spec.per_page)
        .offset((query.page - 1) * spec.per_page)
    )
    if spec.enrich is not None:
        await spec.enrich(rows, ctx)
    current = query.sort.lstrip("-")
    descending = query.sort.startswith("-")
    headers = []
    for column in spec.columns:
        sortable = column.sortable and column.key in spec.sortable()
        is_current = sortable and column.key == current
        if is_current:
            flipped = column.key if descending else f"-{column.key}"
        else:
            flipped = column.key if column.kind in ("text", "label") else f"-{column.key}"
        headers.append(
            Header(
                label=fmt._(column.label),
                key=column.key,
                href=query.params(sort=flipped, page=1) if sortable else "",
                direction=("descending" if descending else "ascending") if is_current else "",
            )
        )
    return ListPage(
        spec=spec,
        query=ListQuery(query.page, query.sort, query.values, errors, query.lang),
        headers=headers,
        rows=[
            ListRow(
                row,
                [Cell(c.display(row, fmt), c.link(row) if c.link else "") for c in spec.columns],
            )
            for row in rows
        ],
        filters=[
            FilterField(f, query.values.get(f.key, ""), errors.get(f.key)) for f in spec.filters
        ],
        total=total,
        errors=errors,
    )


async def csv_total(spec: ListSpec, query: ListQuery, ctx: Context) -> int:
    """How many rows the CSV would have."""
    conditions, _ = _conditions(spec, query, ctx)
    return min(await _count(spec, ctx, conditions), CSV_MAX_ROWS)


async def csv_rows(
    spec: ListSpec,
    query: ListQuery,
    ctx: Context,
    progress: Callable[[int], Awaitable[None]] | None = None,
) -> list[Row]:
    """Every row the filters select (up to ``CSV_MAX_ROWS``), in the list's order, read
    ``CSV_CHUNK`` at a time (``progress(rows so far)`` after each chunk)."""
    conditions, _ = _conditions(spec, query, ctx)
    found: list[Row] = []
    while len(found) < CSV_MAX_ROWS:
        chunk = await (
            _select(spec, query, ctx, conditions)
            .limit(min(CSV_CHUNK, CSV_MAX_ROWS - len(found)))
            .offset(len(found))
        )
        if spec.enrich is not None:
            await spec.enrich(chunk, ctx)
        found.extend(chunk)
        if progress is not None:
            await progress(len(found))
        if len(chunk) < CSV_CHUNK:
            break
    return found


def csv_filename(spec: ListSpec, ctx: Context, fmt: Formatter) -> str:
    return f"{spec.name}-{fmt.local(ctx.clock.now()).strftime('%Y%m%d')}.csv"


def csv_bytes(spec: ListSpec, rows: list[Row], fmt: Formatter) -> bytes:
    """Translated headers, then the rows, through the one CSV writer (``core.csv_writer``)."""
    return csv_document(
        [fmt._(c.label) for c in spec.columns],
        ([c.csv_value(row, fmt) for c in spec.columns] for row in rows),
    )


CSV_TYPE = "text/csv"  # Litestar adds "; charset=utf-8" to text/* itself


async def queue_csv_export(
    request: Request[Any, Any, Any], spec: ListSpec, ctx: Context, fmt: Formatter, total: int
) -> JobView:
    """A job making this list's CSV (same filters and sort) in a worker; it finds the spec
    again by name in the module of the page's controller. Only its creator sees it."""
    kept = {k: v for k, v in request.query_params.items() if k not in ("export", "page")}
    back = urlencode(kept)
    return await create_job(
        ctx,
        CSV_EXPORT_KIND,
        params={
            "module": request.route_handler.fn.__module__,
            "spec": spec.name,
            "query": kept,
            "language": fmt.language,
            "filename": csv_filename(spec, ctx, fmt),
            "back_url": request.url.path + (f"?{back}" if back else ""),
        },
        total=total,
        dedupe_key=f"{ctx.actor.id}:{spec.name}:{back}",
    )


async def csv_response(
    spec: ListSpec, query: ListQuery, ctx: Context, fmt: Formatter
) -> Response[bytes]:
    rows = await csv_rows(spec, query, ctx)
    return Response(
        csv_bytes(spec, rows, fmt),
        media_type=CSV_TYPE,
        headers={
            **SECURITY_HEADERS,
            "content-disposition": f'attachment; filename="{csv_filename(spec, ctx, fmt)}"',
        },
    )


async def list_response(
    request: Request[Any, Any, Any],
    spec: ListSpec,
    ctx: Context,
    render_page: Callable[[ListPage], Response[Any]],
) -> Response[Any]:
    """The list page (``render_page(listing)``) or, with ``?export=csv``, its CSV file."""
    query = parse_query(spec, request.query_params)
    fmt = formatter(request, ctx)
    if request.query_params.get("export") == "csv":
        total = await csv_total(spec, query, ctx)
        if total > CSV_JOB_ABOVE:
            return job_redirect(await queue_csv_export(request, spec, ctx, fmt, total))
        return await csv_response(spec, query, ctx, fmt)
    return render_page(await fetch_page(spec, query, ctx, fmt))
