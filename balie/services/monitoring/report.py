"""The monitor as its user reads it: the tables of one standard view, every number through suppression.

A view is one gemeente of her scope or all of them, and a calendar month, quarter, half-year or year
(``view_scope``). For the year of the view this module counts the base cells of every table she can
open (each gemeente of her scope × each month × each category, with the figures services), protects
ALL of them in one :func:`~balie.services.monitoring.disclosure.protect` call (every gemeente and
"all", every month, quarter, half-year and the year), judges the view (``judge_scope``: shown,
empty, widened or refused) and returns the tables of that view as :class:`tables.Table` objects.

What leaves this module are counts of groups, shares and medians computed from published counts
only, and labels; never a reference, a free text, an id, or a date finer than a month.

Linked tables. Every table that splits the registrations (routes, advisor kinds, contact, pregnancy
phase, language …) has its own total, and those totals are the same number. The suppression module
links figures through their base cells, and these tables have different base cells, so the same
total could in theory be published in one table and hidden in another. After protecting,
:func:`_consistent` checks that every group of equal figures has one status everywhere; if not,
nothing of the year is published but zeros (``Report.withheld``) rather than a figure that could
give a small cell away.

Labels are msgids (``N_``) translated by the ``words`` function the caller passes (gettext).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import cast

from babel.numbers import format_currency, format_decimal, format_percent
from sqlalchemy import select
from sqlalchemy.orm import Session

from balie.clock import today
from balie.models import Registration
from balie.models.base import utcnow
from balie.services.monitoring import funnel as funnel_figures
from balie.services.monitoring import reach as reach_figures
from balie.services.monitoring import reference_figures, snapshot
from balie.services.monitoring.advice_cards import PROFESSION_KEYS, advice_cards
from balie.services.monitoring.cohort import counted
from balie.services.monitoring.disclosure import (
    DEFAULT_THRESHOLD,
    Disclosure,
    LinkedFigures,
    Status,
    calendar_periods,
    crossed,
    protect,
)
from balie.services.monitoring.equity import equity
from balie.services.monitoring.funnel import ADVISOR_KEYS, CONTACT, FOLLOW_UP, FOLLOW_UP_KINDS, NO_VISIT, ROUTES, VISITS
from balie.services.monitoring.periods import Period, PeriodKind
from balie.services.monitoring.snapshot import YearFigures
from balie.services.monitoring.tables import Cell, CellStatus, Row, Table
from balie.services.monitoring.timeliness import PHASES, timeliness
from balie.services.monitoring.view_scope import Reason, Scope, Verdict, judge_scope

ALL = "all"  # the gemeente key of "all gemeenten of her scope"
DESK = "desk"  # advice cards are counted for the whole desk (a card has no gemeente)
MIN_REACHED_FOR_DELAYS = 5
Words = Callable[[str], str]


def N_(text: str) -> str:
    """Marks a gettext msgid that the caller's ``words`` translates."""
    return text


# --- the tables' categories -------------------------------------------------------------------

TOTAL, FAMILIES, ARRANGED, WITH_PROFESSIONAL = "total", "families", "arranged", "with_professional"
THROUGH_PROFESSIONAL, ON_HER_OWN = "through_professional", "on_her_own"
YES, NO = "yes", "no"
FEEDBACK = ("consented", "not_consented", "no_professional")
EXTRA = "extra"
KIND_TABLES = {kind: f"kind_{kind}" for kind in FOLLOW_UP_KINDS}


def _partition(parts: Iterable[str], **groups: Iterable[str]) -> dict[str, frozenset[str]]:
    parts = tuple(parts)
    return {
        **{p: frozenset({p}) for p in parts},
        **{k: frozenset(v) for k, v in groups.items()},
        TOTAL: frozenset(parts),
    }


# table key -> group key -> the category atoms it adds up (atoms are namespaced by the table below)
CATEGORIES: dict[str, dict[str, frozenset[str]]] = {
    "routes": _partition(
        ROUTES, **{ON_HER_OWN: ("self", "self_with_code"), THROUGH_PROFESSIONAL: ("assisted", "referral")}
    ),
    "advisors": _partition(ADVISOR_KEYS),
    "contact": _partition(CONTACT),
    "visits": _partition((NO_VISIT, *VISITS), **{FAMILIES: VISITS}),
    "follow_up": _partition((NO_VISIT, *FOLLOW_UP), **{FAMILIES: FOLLOW_UP}),
    **{
        table: {YES: frozenset({YES}), NO: frozenset({NO}), ARRANGED: frozenset({YES, NO})}
        for table in KIND_TABLES.values()
    },
    "phases": _partition(PHASES),
    "languages": _partition(("dutch", "other_language")),
    "interpreter": _partition(("interpreter", "no_interpreter")),
    "feedback": _partition(FEEDBACK, **{WITH_PROFESSIONAL: ("consented", "not_consented")}),
    "extra_visits": {EXTRA: frozenset({EXTRA})},
    "cards": _partition(PROFESSION_KEYS),
}
REGISTRATION_TABLES = (
    "routes",
    "advisors",
    "contact",
    "visits",
    "follow_up",
    "phases",
    "languages",
    "interpreter",
    "feedback",
)
# Figures that are the same number in several tables (per gemeente and period): one status for all.
EQUAL_FIGURES: tuple[tuple[tuple[str, str], ...], ...] = (
    tuple((table, TOTAL) for table in REGISTRATION_TABLES),
    (("visits", FAMILIES), ("follow_up", FAMILIES)),
    (("follow_up", "arranged"), *((table, ARRANGED) for table in KIND_TABLES.values())),
)

LABELS: dict[str, str] = {
    "self": N_("On her own"),
    "self_with_code": N_("On her own, with an advice card's code"),
    "assisted": N_("Registered together with a professional"),
    "referral": N_("Referred directly by a professional"),
    ON_HER_OWN: N_("On her own (with or without a code)"),
    THROUGH_PROFESSIONAL: N_("Through a professional"),
    "midwife": N_("Midwife"),
    "maternity_care": N_("Maternity care"),
    "gp": N_("GP"),
    "hospital": N_("Hospital"),
    "social_team": N_("Social team"),
    "other": N_("Other"),
    "not_given": N_("Not given"),
    "made": N_("Contact made"),
    "declined": N_("Declined"),
    "not_reached": N_("Not reached"),
    "moved": N_("Moved away"),
    "withdrawn": N_("Withdrawn by the parent"),
    "handed_over": N_("Handed over to the organisation's own dossier"),
    "waiting": N_("Still waiting for contact"),
    "1": N_("1 visit"),
    "2": N_("2 visits"),
    "3": N_("3 visits"),
    "4_or_more": N_("4 visits or more"),
    FAMILIES: N_("Families with a visit"),
    "arranged": N_("Follow-up arranged"),
    "none_needed": N_("No follow-up needed"),
    "ended_otherwise": N_("Ended otherwise"),
    "open": N_("Still open"),
    "jgz": N_("Follow-up: JGZ"),
    "social_domain": N_("Follow-up: sociaal domein"),
    "care": N_("Follow-up: care"),
    "before_12": N_("Before 12 weeks"),
    "weeks_12_19": N_("12 to 19 weeks"),
    "weeks_20_27": N_("20 to 27 weeks"),
    "weeks_28_35": N_("28 to 35 weeks"),
    "from_36": N_("36 weeks or more"),
    "after_due_month": N_("After the due month"),
    "unknown": N_("Not known"),
    TOTAL: N_("Total"),
}


@dataclass(frozen=True)
class Settings:
    norm_share: Decimal  # 0.165
    tariff: Decimal  # euros per family with at least one visit
    price_year: int
    locale: str = "nl_NL"
    threshold: int = DEFAULT_THRESHOLD


@dataclass(frozen=True)
class YearCounts:
    """The base cells of one year: (table, category) atom × gemeente (or DESK) × "YYYY-MM" -> count."""

    year: int
    gemeenten: frozenset[str]
    cells: Mapping[tuple[tuple[str, str], str, str], int]

    def registrations(self) -> dict[tuple[str, str], int]:
        """Registrations per (gemeente, month), as judge_scope wants them."""
        found: dict[tuple[str, str], int] = defaultdict(int)
        for (atom, gemeente, month), count in self.cells.items():
            if atom[0] == "routes":
                found[(gemeente, month)] += count
        return dict(found)


def _month(year: int, month: int, until: date | None = None) -> Period:
    return Period(PeriodKind.MONTH, date(year, month, 1), until)


def _registered(session: Session, gemeenten: Collection[str], period: Period) -> set[str]:
    """The gemeenten with at least one registration counted in the period (one grouped query)."""
    found = session.scalars(
        select(Registration.municipality_code)
        .where(*counted(gemeenten, period))
        .group_by(Registration.municipality_code)
    )
    return {str(code) for code in found}


def count_year(session: Session, gemeenten: Collection[str], year: int, until: date | None = None) -> YearCounts:
    """Every base cell of the year, with the figures services, per gemeente per month; with
    ``until``, of the registrations (and advice cards) received before that day only."""
    cells: dict[tuple[tuple[str, str], str, str], int] = {}

    def put(table: str, gemeente: str, month: str, rows: Iterable[tuple[str, int]]) -> None:
        for category, count in rows:
            if count:
                cells[((table, category), gemeente, month)] = count

    for number in range(1, 13):
        period = _month(year, number, until)
        key = period.key
        put("cards", DESK, key, advice_cards(session, period).cards.rows)
        for gemeente in sorted(_registered(session, gemeenten, period)):
            f = funnel_figures.funnel(session, {gemeente}, period)
            put("routes", gemeente, key, f.routes.rows)
            put("advisors", gemeente, key, f.advisor_kinds.rows)
            put("contact", gemeente, key, f.contact.rows)
            no_visit = [(NO_VISIT, f.registrations - f.families_visited)]
            put("visits", gemeente, key, [*f.visits_per_family.rows, *no_visit])
            put("follow_up", gemeente, key, [*f.follow_up.rows, *no_visit])
            arranged = f.follow_up.count("arranged")
            for kind, table in KIND_TABLES.items():
                has = f.follow_up_kinds.count(kind)
                put(table, gemeente, key, [(YES, has), (NO, arranged - has)])
            put("extra_visits", gemeente, key, [(EXTRA, f.visits_held - f.families_visited)])
            put("phases", gemeente, key, timeliness(session, {gemeente}, period).phases.rows)
            e = equity(session, {gemeente}, period)
            put("languages", gemeente, key, e.languages.rows)
            put("interpreter", gemeente, key, e.interpreter.rows)
            with_professional = e.feedback.total
            put("feedback", gemeente, key, [*e.feedback.rows, ("no_professional", e.registrations - with_professional)])
    return YearCounts(year, frozenset(gemeenten), cells)


def year_figures(session: Session, gemeenten: Collection[str], year: int, day: date, threshold: int) -> YearFigures:
    """The year counted and protected as of the start of ``day``: today's snapshot, or (the first
    view of the day) counted, protected and stored now."""
    kept = snapshot.load(session, gemeenten, year, day, threshold)
    if kept is not None:
        return kept
    counts = count_year(session, gemeenten, year, until=day)
    shown, consistent = protect_year(counts, threshold)
    figures = YearFigures(counts.cells, shown, consistent, utcnow())
    snapshot.store(session, gemeenten, year, day, figures)
    return figures


# --- protecting the year ----------------------------------------------------------------------


def linked_figures(gemeenten: Collection[str], year: int) -> LinkedFigures:
    """Every figure of every table of the year for these gemeenten and all of them together."""
    places: dict[Hashable, frozenset[Hashable]] = {g: frozenset({g}) for g in gemeenten}
    if len(places) > 1:
        places[ALL] = frozenset(gemeenten)
    periods: dict[Hashable, frozenset[Hashable]] = {
        key: frozenset(months) for key, months in calendar_periods(year).items()
    }
    cells: dict[Hashable, frozenset[Hashable]] = {}
    lines: list = []
    for table, groups in CATEGORIES.items():
        dimension: dict[Hashable, frozenset[Hashable]] = {
            (table, key): frozenset((table, atom) for atom in atoms) for key, atoms in groups.items()
        }
        where: Mapping[Hashable, frozenset[Hashable]] = {DESK: frozenset({DESK})} if table == "cards" else places
        part = crossed(dimension, where, periods)
        cells.update(part.cells)
        lines.extend(part.lines)
    return LinkedFigures(cells, tuple(lines))


def _equal_groups(gemeenten: Collection[str], year: int) -> list[tuple[Hashable, ...]]:
    return [
        tuple(((table, group), place, period) for table, group in members)
        for place in (*gemeenten, *([ALL] if len(gemeenten) > 1 else []))
        for period in calendar_periods(year)
        for members in EQUAL_FIGURES
    ]


def _inconsistent(shown: Disclosure, groups: list[tuple[Hashable, ...]]) -> set[Hashable]:
    """The figures of groups of equal figures that are hidden in one table and published in another."""
    found: set[Hashable] = set()
    hidden = shown.hidden
    for group in groups:
        if any(key in hidden for key in group) and not all(key in hidden for key in group):
            found.update(group)
    return found


MAX_ROUNDS = 6


def protect_year(counts: YearCounts, threshold: int = DEFAULT_THRESHOLD) -> tuple[Disclosure, bool]:
    """The suppression of every figure of the year in one call, repeated with the equal figures of
    the tables hidden together until every group has one status; False: still not, withhold."""
    return _protect_year(counts, threshold)


def _protect_year(counts: YearCounts, threshold: int) -> tuple[Disclosure, bool]:
    gemeenten = sorted(counts.gemeenten)
    figures = linked_figures(gemeenten, counts.year)
    groups = _equal_groups(gemeenten, counts.year)
    extra: set[Hashable] = set()
    for _round in range(MAX_ROUNDS):
        shown = protect(cast(Mapping[Hashable, int], counts.cells), figures, threshold, also_hidden=extra)
        mixed = _inconsistent(shown, groups)
        if not mixed:
            return shown, True
        extra |= mixed
    return shown, False


# --- the view -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    requested: Scope
    verdict: Verdict
    shown: Scope  # the scope whose figures are shown (wider than requested when WIDEN)
    reason: Reason | None
    withheld: bool  # the year's suppression was not consistent: nothing but zeros published
    tables: Mapping[str, Table]  # by Table.key; empty unless the verdict is SHOW or WIDEN
    day: date  # the figures are those as of the start of this day (received up to the day before)
    computed_at: datetime  # when they were counted

    @property
    def has_figures(self) -> bool:
        return bool(self.tables)


def shown_place(scope: Scope) -> str:
    """The gemeente key of a scope's figures: its one gemeente, or ALL."""
    return next(iter(scope.gemeenten)) if len(scope.gemeenten) == 1 else ALL


class _Printer:
    """Turns figures of one place and period into cells, hidden where the disclosure says so."""

    def __init__(self, shown: Disclosure, withheld: bool, place: str, period: str, settings: Settings) -> None:
        self.shown, self.withheld, self.place, self.period, self.settings = shown, withheld, place, period, settings

    def value(self, table: str, group: str, place: str | None = None, period: str | None = None) -> int | None:
        key = ((table, group), DESK if table == "cards" else (place or self.place), period or self.period)
        number = self.shown.value(key)
        if self.withheld and number:
            return None
        return number

    def count(self, table: str, group: str, place: str | None = None, period: str | None = None) -> Cell:
        key = ((table, group), DESK if table == "cards" else (place or self.place), period or self.period)
        number = self.value(table, group, place, period)
        if number is not None:
            return Cell(format_decimal(number, locale=self.settings.locale), number)
        status = self.shown.status[key]
        if status is Status.SMALL:
            return Cell(self.shown.label(key), None, CellStatus.SMALL)
        return Cell("x", None, CellStatus.COMPLEMENTARY)

    def share(self, part: Cell, whole: Cell) -> Cell:
        if part.value is None or whole.value is None:
            return hidden_like(part if part.value is None else whole, "percent")
        if not whole.value:
            return not_available("percent")
        ratio = Decimal(part.value) / Decimal(whole.value)
        return Cell(format_percent(ratio, locale=self.settings.locale), float(ratio), unit="percent")


def hidden_like(cell: Cell, unit: str) -> Cell:
    """A figure derived from a hidden one is hidden the same way."""
    if cell.status is CellStatus.NOT_AVAILABLE:
        return not_available(unit)
    return Cell(cell.text, None, cell.status, unit)


def not_available(unit: str = "count") -> Cell:
    return Cell("–", None, CellStatus.NOT_AVAILABLE, unit)


def build_report(
    session: Session,
    gemeenten: Collection[str],
    requested: Scope,
    settings: Settings,
    words: Words,
    day: date | None = None,
) -> Report:
    """The report of a requested view for a monitor whose scope is ``gemeenten``, as of the start
    of ``day`` (default today in the Netherlands): the registrations received up to and including
    the day before. Stores the day's snapshot when it is the first view of the day (flushes; the
    caller commits)."""
    day = day or today()
    allowed = frozenset(gemeenten)
    year = int(requested.period[:4])
    figures = year_figures(session, allowed, year, day, settings.threshold)
    registrations = YearCounts(year, allowed, figures.cells).registrations()
    decision = judge_scope(requested, registrations, allowed, settings.threshold)
    as_of = (day, figures.computed_at)
    if decision.verdict not in (Verdict.SHOW, Verdict.WIDEN):
        return Report(requested, decision.verdict, decision.scope, decision.reason, False, {}, *as_of)
    scope = decision.scope
    printer = _Printer(figures.shown, not figures.consistent, shown_place(scope), scope.period, settings)
    built = _Tables(session, printer, scope, settings, words, day).all()
    tables = {t.key: t for t in built}
    return Report(requested, decision.verdict, scope, decision.reason, not figures.consistent, tables, *as_of)


class _Tables:
    def __init__(
        self, session: Session, printer: _Printer, scope: Scope, settings: Settings, words: Words, day: date
    ) -> None:
        self.session, self.p, self.scope, self.settings, self.w = session, printer, scope, settings, words
        self.period = replace(Period.parse(scope.period), until=day)

    def label(self, key: str) -> str:
        return self.w(LABELS[key])

    def all(self) -> list[Table]:
        return [
            self.funnel(),
            self.breakdown("routes", N_("Registrations by route"), (*ROUTES, THROUGH_PROFESSIONAL, TOTAL)),
            self.breakdown("advisors", N_("Registrations by who advised her"), (*ADVISOR_KEYS, TOTAL)),
            self.breakdown("contact", N_("Contact with the registrations"), (*CONTACT, TOTAL)),
            self.breakdown("visits", N_("Families with a visit, by number of visits"), (*VISITS, FAMILIES), FAMILIES),
            self.follow_up(),
            self.reach(),
            self.reach_months(),
            self.money(),
            self.delays(),
            self.breakdown("phases", N_("Pregnancy at registration"), (*PHASES, TOTAL)),
            self.equity(),
        ]

    def funnel(self) -> Table:
        p = self.p
        rows = (
            Row("cards", self.w(N_("Advice cards made (whole desk)")), (p.count("cards", TOTAL),)),
            Row("registrations", self.w(N_("Registrations")), (p.count("routes", TOTAL),)),
            Row("contact_made", self.label("made"), (p.count("contact", "made"),)),
            Row("families", self.label(FAMILIES), (p.count("visits", FAMILIES),)),
            Row("follow_up", self.label("arranged"), (p.count("follow_up", "arranged"),)),
            Row("none_needed", self.label("none_needed"), (p.count("follow_up", "none_needed"),)),
        )
        return Table(
            "funnel",
            self.w(N_("From advice card to follow-up")),
            (self.w(N_("Number")),),
            rows,
            self.w(FUNNEL_NOTE),
        )

    def breakdown(self, table: str, title: str, keys: tuple[str, ...], whole: str = TOTAL) -> Table:
        p = self.p
        total = p.count(table, whole)
        rows = []
        for key in keys:
            cell = p.count(table, key)
            rows.append(Row(key, self.label(key), (cell, p.share(cell, total))))
        return Table(table, self.w(title), (self.w(N_("Number")), self.w(N_("Share"))), tuple(rows))

    def follow_up(self) -> Table:
        p = self.p
        families = p.count("follow_up", FAMILIES)
        rows = [
            Row(key, self.label(key), (p.count("follow_up", key), p.share(p.count("follow_up", key), families)))
            for key in FOLLOW_UP
        ]
        for kind, table in KIND_TABLES.items():
            cell = p.count(table, YES)
            rows.append(Row(f"kind_{kind}", self.label(kind), (cell, p.share(cell, families))))
        rows.append(Row(FAMILIES, self.label(FAMILIES), (families, p.share(families, families))))
        note = self.w(N_("A family with follow-up of two kinds counts once in each kind."))
        return Table(
            "follow_up",
            self.w(N_("Follow-up of the families with a visit")),
            (self.w(N_("Number")), self.w(N_("Share"))),
            tuple(rows),
            note,
        )

    def _reference(self, months: int) -> tuple[int | None, int | None, Decimal | None]:
        """Live births, own target group and budget of the view's gemeenten (None if any gemeente lacks it)."""
        known = reference_figures.figures(self.session, self.scope.gemeenten, [self.period.start.year])
        found = [known.get((g, self.period.start.year)) for g in sorted(self.scope.gemeenten)]

        def total(name: str) -> int | Decimal | None:
            values = [getattr(f, name) if f else None for f in found]
            return None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]

        births, own, budget = total("live_births"), total("target_group_size"), total("budget")
        return births, own, budget  # type: ignore[return-value]

    def _decimal(self, value: Decimal | None, pattern: str = "#,##0.0") -> Cell:
        if value is None:
            return not_available()
        return Cell(format_decimal(value, pattern, locale=self.settings.locale), float(value), unit="count")

    def _share(self, families: Cell, share: Decimal | None) -> Cell:
        if families.value is None:
            return hidden_like(families, "percent")
        if share is None:
            return not_available("percent")
        return Cell(format_percent(share, locale=self.settings.locale), float(share), unit="percent")

    def reach(self) -> Table:
        months = self.period.kind.months
        births, own, _budget = self._reference(months)
        families = self.p.count("visits", FAMILIES)
        figures = reach_figures.reach(int(families.value or 0), births, self.settings.norm_share, own, months)
        norm = format_decimal(self.settings.norm_share * 100, "#,##0.##", locale=self.settings.locale)
        rows = (
            Row(FAMILIES, self.label(FAMILIES), (families, not_available("percent"))),
            Row(
                "expected",
                self.w(N_("Expected target group (live births × %(norm)s %%)")) % {"norm": norm},
                (self._decimal(figures.expected), self._share(families, figures.share_of_expected)),
            ),
            Row(
                "own_target",
                self.w(N_("Own target group")),
                (self._decimal(figures.own_target), self._share(families, figures.share_of_own_target)),
            ),
        )
        return Table(
            "reach",
            self.w(N_("Reach")),
            (self.w(N_("Number")), self.w(N_("Reached"))),
            rows,
            self.w(N_("For a period shorter than a year the yearly figures count pro rata. “–”: not entered.")),
        )

    def reach_months(self) -> Table:
        year = self.period.start.year
        births, own, _budget = self._reference(1)
        rows = []
        for number in range(1, 13):
            month = _month(year, number).key
            families = self.p.count("visits", FAMILIES, period=month)
            figures = reach_figures.reach(int(families.value or 0), births, self.settings.norm_share, own, 1)
            rows.append(
                Row(
                    month,
                    f"{self.w(MONTH_NAMES[number - 1])} {year}",
                    (families, self._decimal(figures.expected), self._share(families, figures.share_of_expected)),
                )
            )
        return Table(
            "reach_months",
            self.w(N_("Families with a visit per month of %(year)s")) % {"year": year},
            (self.w(N_("Families with a visit")), self.w(N_("Expected per month")), self.w(N_("Reached"))),
            tuple(rows),
        )

    def money(self) -> Table:
        months = self.period.kind.months
        births, _own, budget = self._reference(months)
        families = self.p.count("visits", FAMILIES)
        figures = reach_figures.money(
            int(families.value or 0), self.settings.tariff, budget, births, self.settings.norm_share, months
        )

        def euros(amount: Decimal | None, basis: Cell | None = None) -> Cell:
            if basis is not None and basis.value is None:
                return hidden_like(basis, "euro")
            if amount is None:
                return not_available("euro")
            return Cell(format_currency(amount, "EUR", locale=self.settings.locale), float(amount), unit="euro")

        tariff = format_currency(self.settings.tariff, "EUR", locale=self.settings.locale)
        rows = (
            Row(FAMILIES, self.label(FAMILIES), (families,)),
            Row("cost", self.w(N_("Families × tariff")), (euros(figures.cost, families),)),
            Row("budget", self.w(N_("Budget")), (euros(figures.budget),)),
            Row(
                "share_of_budget", self.w(N_("Share of the budget")), (self._share(families, figures.share_of_budget),)
            ),
            Row(
                "extra_visits",
                self.w(N_("Follow-up visits (second visit and later)")),
                (self.p.count("extra_visits", EXTRA),),
            ),
        )
        note = self.w(MONEY_NOTE) % {"tariff": tariff, "year": self.settings.price_year}
        return Table("money", self.w(N_("Money")), (self.w(N_("Amount")),), rows, note)

    def delays(self) -> Table:
        made = self.p.count("contact", "made")
        found = timeliness(self.session, self.scope.gemeenten, self.period).first_contact
        enough = made.value is not None and made.value >= MIN_REACHED_FOR_DELAYS

        def days(value: int | None) -> Cell:
            if made.value == 0:
                return not_available("days")
            if not enough:
                return (
                    hidden_like(made, "days")
                    if made.value is None
                    else Cell(f"< {MIN_REACHED_FOR_DELAYS}", None, CellStatus.SMALL, "days")
                )
            if value is None:
                return not_available("days")
            return Cell(format_decimal(value, locale=self.settings.locale), value, unit="days")

        rows = (
            Row("median", self.w(N_("Median")), (days(found.median_working_days),)),
            Row("p90", self.w(N_("90 % within")), (days(found.p90_working_days),)),
            Row("reached", self.label("made"), (made,)),
        )
        note = self.w(DELAYS_NOTE)
        return Table("timeliness", self.w(N_("Time to first contact")), (self.w(N_("Working days")),), rows, note)

    def equity(self) -> Table:
        p = self.p
        total = p.count("routes", TOTAL)
        rows = []
        for table, key, whole in (
            ("languages", "other_language", total),
            ("interpreter", "interpreter", total),
            ("routes", THROUGH_PROFESSIONAL, total),
            ("routes", ON_HER_OWN, total),
            ("feedback", "consented", p.count("feedback", WITH_PROFESSIONAL)),
        ):
            cell = p.count(table, key)
            rows.append(Row(key, self.w(EQUITY_LABELS[key]), (cell, p.share(cell, whole))))
        note = self.w(
            N_("Feedback consent: of the registrations with a known professional (card, together or referral).")
        )
        return Table("equity", self.w(N_("Equity")), (self.w(N_("Number")), self.w(N_("Share"))), tuple(rows), note)


# N_ around the literal itself: the catalogue's extractor only sees marked literals.
MONEY_NOTE = N_(
    "Tariff %(tariff)s per family with at least one visit, price level %(year)s. "
    "Follow-up visits are counted separately and are not in the cost."
)
DELAYS_NOTE = N_(
    "Working days from registration to the first contact. Hidden when fewer than 5 registrations were reached."
)
FUNNEL_NOTE = N_(
    "An advice card has no gemeente: the cards are those of the whole desk. "
    "The other steps count the registrations received in the period, followed to today."
)
EQUITY_LABELS = {
    "other_language": N_("In another language than Dutch"),
    "interpreter": N_("With an interpreter"),
    THROUGH_PROFESSIONAL: N_("Through a professional"),
    ON_HER_OWN: N_("On her own (with or without a code)"),
    "consented": N_("Consented to feedback to the professional"),
}
MONTH_NAMES = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)
