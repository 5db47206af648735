"""A generated two-year history of the demo region, so the monitor has something to show and measure.

Made through the real services, never by writing rows: parents register with
``submission.submit``, nurses take the inbox's steps (``inbox.record_step``), merge duplicates
(``inbox.merge_duplicate``) and erase after a withdrawal (``submission.withdraw``, ``inbox.erase``),
and the retention job (``retention.purge``) runs at the end of every month. Time is walked forward
month by month from ``months`` months before ``now``: every registration, step and purge happens at
its own moment in the past, and whatever would happen after ``now`` has not happened yet (recent
registrations are still open, as they would be). The notifications the submissions queue are marked
as handled at the end, so ``make mail`` does not deliver two years of demo mail.

The people are made up and say so: parents "Voorbeeldouder <letters>" with phone numbers in the
unused +31 6 0 range, postcode <PC4> AB 1; demo accounts (no password, so nobody can log in with
them) under ``@demo.balie.invalid``. Identifiers, reference codes and card codes are random; the
figures are the same for the same seed, ``now`` and sizes.

The mix below is MADE UP to look plausible; it is not a statistic of any region:

- volume: ``registrations`` spread over the months, growing from 0.8 to 1.2 times the average
  (reach growing over time); at any hour between 07:00 and 23:00;
- gemeenten: the region's gemeenten with a home-visit service, in proportion to their inhabitants
  (``INHABITANTS``, rounded CBS figures of 1 January 2024 for Haaglanden; another gemeente weighs
  ``DEFAULT_INHABITANTS``); 1 % register without a fixed address;
- routes: on her own 45 %, on her own with an advice card's code 20 %, samen aangemeld 20 %,
  direct referral 15 %;
- contact language: Dutch 80 %, English 6 %, Arabic 4 %, Turkish 3 %, Polish 3 %, Ukrainian,
  Tigrinya, Somali, Tamazight 1 % each; an interpreter for 40 % of those not in Dutch or English;
- "who advised you?" (on her own): midwife 40 %, maternity care 5 %, GP 10 %, hospital 10 %, social
  team 5 %, other 5 %, not answered 25 %; with a card, mostly the card's kind;
- feedback consent: 60 % of those with a card, 75 % of samen aangemeld and referrals;
- pregnancy at registration: 8 to 37 weeks, most between 12 and 28;
- what happens: contact made 80 %, not reached 8 % (2-3 attempts), declined before contact 5 %,
  moved away 3 %, withdrawn by her 2 % (the nurse erases the details), registered twice 2 % (the
  nurse merges the second into the first); after contact: visits 88 %, declined 8 %, handed over
  4 %; visits per family 1: 60 %, 2: 25 %, 3: 10 %, 4-5: 5 %; after the visits follow-up 35 % (a
  second kind for a quarter of them), handed over 10 %, otherwise closed "visits held";
- timing: first response within 0-9 working days (most in 1-2), attempts 2-5 working days apart,
  visits 5-15 working days apart, closing 1-10 working days after the last step; on working days
  between 09:00 and 17:00.
"""

from __future__ import annotations

import heapq
import random
import secrets
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from balie.clock import ZONE
from balie.crypto import KeyRing
from balie.domain import roles, working_days
from balie.domain.consent import REFERRING_PROFESSIONS
from balie.domain.due_date import DueMonth, allowed_months
from balie.domain.errors import DomainError
from balie.domain.postcode import HouseNumber, Postcode
from balie.domain.registration import ContactPreferences, RegistrationData
from balie.domain.status_flow import Step
from balie.models import AdviceCode, OutboxMessage, PostcodeArea, Registration, User
from balie.services import outbox
from balie.services.accounts.lifecycle import Grant, add_role
from balie.services.monitoring.periods import Period, PeriodKind
from balie.services.monitoring.scope import region_municipality_codes
from balie.services.operations import retention
from balie.services.registrations import advice, inbox, routing, submission

T = TypeVar("T")

DEMO_DOMAIN = "demo.balie.invalid"
OUTBOX_WORKER = "demo-history"
OUTBOX_NOTE = "demo history: not delivered"
# Inhabitants on 1 January 2024, rounded (CBS StatLine 03759ned): the weights of Haaglanden's gemeenten.
INHABITANTS = {
    "GM0518": 566_000,  # 's-Gravenhage
    "GM0637": 128_000,  # Zoetermeer
    "GM1783": 115_000,  # Westland
    "GM0503": 106_000,  # Delft
    "GM1916": 78_000,  # Leidschendam-Voorburg
    "GM0603": 58_000,  # Rijswijk
    "GM1926": 57_000,  # Pijnacker-Nootdorp
    "GM0629": 27_000,  # Wassenaar
    "GM1842": 20_000,  # Midden-Delfland
}
DEFAULT_INHABITANTS = 50_000

ROUTES = (("self", 45), ("self_with_code", 20), ("assisted", 20), ("referral", 15))
LANGUAGES = (
    ("nl", 80),
    ("en", 6),
    ("ar", 4),
    ("tr", 3),
    ("pl", 3),
    ("uk", 1),
    ("ti", 1),
    ("so", 1),
    ("zgh", 1),
)
INTERPRETER_SHARE = 0.4  # of those not in Dutch or English
ADVISOR_KINDS = (
    ("midwife", 40),
    ("maternity_care", 5),
    ("gp", 10),
    ("hospital", 10),
    ("social_team", 5),
    ("other", 5),
    (None, 25),
)
FEEDBACK_WITH_CARD, FEEDBACK_THROUGH_PROFESSIONAL = 0.6, 0.75
NO_FIXED_ADDRESS_SHARE = 0.01
# (weeks, weight): she registers in that week or the two after it.
WEEKS_PREGNANT = (
    (8, 3),
    (10, 6),
    (13, 12),
    (16, 14),
    (19, 14),
    (22, 13),
    (25, 12),
    (28, 10),
    (31, 8),
    (34, 5),
    (37, 3),
)
FIRST = (
    ("contact", 80),
    ("not_reached", 8),
    ("declined", 5),
    ("moved", 3),
    ("withdrawn", 2),
    ("twice", 2),
)
AFTER_CONTACT = (("visits", 88), ("declined", 8), ("hand_over", 4))
VISITS = ((1, 60), (2, 25), (3, 10), (4, 3), (5, 2))
AFTER_VISITS = (("follow_up", 35), ("hand_over", 10), ("close", 55))
FOLLOW_UP_KINDS = (
    ("jgz-interventie", 25),
    ("gezondheid-kind", 10),
    ("sociaal-domein", 15),
    ("geld-schulden", 12),
    ("opvoeden", 10),
    ("wonen", 5),
    ("psychische-gezondheid", 10),
    ("borstvoeding", 8),
    ("leefstijl", 5),
)
FIRST_RESPONSE_DAYS = ((0, 25), (1, 35), (2, 20), (3, 10), (5, 6), (8, 4))
# The demo professionals: (profession, the parent's "who advised you?" for her card, how many).
PROFESSIONALS = (
    ("midwife", "midwife", 4),
    ("gynaecologist", "hospital", 1),
    ("maternity_care", "maternity_care", 1),
    ("gp", "gp", 2),
    ("social_team", "social_team", 1),
)
NURSES_PER_ORGANISATION = 2


class HistoryExists(DomainError):
    """The desk already holds registrations: a demo history goes only into an empty desk."""

    code = "demo_history_exists"


class NothingToRoute(DomainError):
    """No gemeente of the region has a home-visit service (no sociale kaart loaded?)."""

    code = "demo_history_no_service"


@dataclass(frozen=True)
class DemoSettings:
    keys: KeyRing
    region_ggd_codes: tuple[str, ...]
    purge_weeks_after_due: int
    purge_days_after_close: int
    secret: str  # the app's: duplicate keys and withdrawal codes


@dataclass(frozen=True)
class DemoSize:
    months: int
    registrations: int  # parents; a parent who registers twice adds one more registration
    seed: int = 1


@dataclass
class DemoHistory:
    """What was made."""

    registrations: int = 0  # submitted, the second registrations of a parent included
    merged: int = 0
    withdrawn: int = 0
    steps: int = 0
    purged: int = 0
    not_yet: int = 0  # actions planned after ``now``: they have not happened yet
    too_late: int = 0  # steps planned after her details were purged: a nurse could not take them


@dataclass(frozen=True)
class _Place:
    municipality_code: str
    pc4: str
    weight: int


@dataclass(frozen=True)
class _Cast:
    nurses: dict[str, list[inbox.Staff]]  # by organisation
    professionals: list[tuple[User, str]]  # with the advisor kind a parent would name
    referring: list[User]
    cards: dict[str, AdviceCode]  # each professional's card, by her id


@dataclass
class _Parent:
    number: int
    place: _Place
    route: str
    language: str
    interpreter: str
    advisor_kind: str | None
    professional: User | None
    card: AdviceCode | None
    feedback_consent: bool
    no_fixed_address: bool
    due: DueMonth
    registration: Registration | None = None
    second: Registration | None = None  # she registered twice: the second one


@dataclass(order=True)
class _Action:
    moment: datetime
    order: int
    run: Callable[[datetime], None] = field(compare=False)


def generate(session: Session, settings: DemoSettings, size: DemoSize, now: datetime) -> DemoHistory:
    """Make the history; raises HistoryExists when any registration is there already."""
    if session.scalar(select(Registration.id).limit(1)) is not None:
        raise HistoryExists()
    places = _places(session, settings.region_ggd_codes)
    if not places:
        raise NothingToRoute()
    start = Period.containing(PeriodKind.MONTH, now.astimezone(ZONE).date())
    for _ in range(size.months):
        start = start.previous()
    rng = random.Random(size.seed)  # noqa: S311 (made-up data, repeatable by its seed)
    walk = _Walk(session, settings, rng, now, _cast(session, places, start.start))
    walk.plan(places, size, _local(start.start, 8))
    walk.run(start)
    return walk.made


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ZONE).astimezone(UTC)


def _pick(rng: random.Random, choices: Sequence[tuple[T, int]]) -> T:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


def _letters(number: int) -> str:
    """0 → "Aaaa", 1 → "Aaab" …: names that differ in letters (duplicate keys ignore digits)."""
    letters = ""
    for _ in range(4):
        number, rest = divmod(number, 26)
        letters = string.ascii_lowercase[rest] + letters
    return letters.capitalize()


def _places(session: Session, region_ggd_codes: tuple[str, ...]) -> list[_Place]:
    """Each served gemeente of the region with a PC4 that lies in it alone."""
    places = []
    for code in sorted(region_municipality_codes(session, region_ggd_codes)):
        if routing.home_visit_service(session, code) is None:
            continue
        for pc4 in session.scalars(
            select(PostcodeArea.pc4).where(PostcodeArea.municipality_code == code).order_by(PostcodeArea.pc4)
        ):
            if len(routing.municipalities_for_pc4(session, pc4)) == 1:
                places.append(_Place(code, pc4, INHABITANTS.get(code, DEFAULT_INHABITANTS)))
                break
    return places


def _account(session: Session, email: str, name: str, grant: Grant) -> User:
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, password_hash=None, feedback_mail=False)
        session.add(user)
        session.flush()
    add_role(session, user, grant)
    return user


def _cast(session: Session, places: list[_Place], first_day: date) -> _Cast:
    """The demo nurses of each organisation and the demo professionals, with one advice card each."""
    services = [routing.home_visit_service(session, place.municipality_code) for place in places]
    organisations = sorted({service.organisation_id for service in services if service is not None})
    nurses: dict[str, list[inbox.Staff]] = {}
    for index, organisation_id in enumerate(organisations, 1):
        nurses[organisation_id] = [
            inbox.Staff(
                _account(
                    session,
                    f"verpleegkundige-{index}-{number}@{DEMO_DOMAIN}",
                    f"Voorbeeldverpleegkundige {index}.{number}",
                    Grant(roles.JGZ_STAFF, organisation_id=organisation_id),
                ).id,
                frozenset({organisation_id}),
            )
            for number in range(1, NURSES_PER_ORGANISATION + 1)
        ]
    professionals: list[tuple[User, str]] = []
    referring: list[User] = []  # who may refer directly (a midwife, a gynaecologist)
    for profession, kind, count in PROFESSIONALS:
        for number in range(1, count + 1):
            user = _account(
                session,
                f"{profession.replace('_', '-')}-{number}@{DEMO_DOMAIN}",
                f"Voorbeeldprofessional {profession} {number}",
                Grant(roles.PROFESSIONAL, profession=profession),
            )
            professionals.append((user, kind))
            if profession in REFERRING_PROFESSIONS:
                referring.append(user)
    made = _local(first_day, 9)
    cards = {user.id: advice.create_card(session, user, "nl", "Voorbeeldkaart", made) for user, _kind in professionals}
    return _Cast(nurses, professionals, referring, cards)


class _Walk:
    """The plans as a queue of actions in time order, run month by month with the purge between."""

    def __init__(self, session: Session, settings: DemoSettings, rng: random.Random, now: datetime, cast: _Cast):
        self.session, self.settings, self.rng, self.now, self.cast = session, settings, rng, now, cast
        self.queue: list[_Action] = []
        self.order = 0  # actions at the same moment run in the order they were planned
        self.made = DemoHistory()

    # -- planning ---------------------------------------------------------------------------------

    def at(self, moment: datetime, run: Callable[[datetime], None]) -> None:
        self.order += 1
        heapq.heappush(self.queue, _Action(moment, self.order, run))

    def plan(self, places: list[_Place], size: DemoSize, first: datetime) -> None:
        span = (self.now - first).total_seconds()
        rng = self.rng
        moments = []
        for _ in range(size.registrations):
            u = rng.random()
            share = (-0.8 + (0.64 + 0.8 * u) ** 0.5) / 0.4  # density growing from 0.8 to 1.2
            day = (first + timedelta(seconds=share * span)).astimezone(ZONE).date()
            moments.append(_local(day, rng.randint(7, 22), rng.randint(0, 59)))
        for number, moment in enumerate(sorted(moments)):
            parent = self.parent(number, rng.choices(places, [p.weight for p in places])[0], moment)
            self.at(moment, partial(self.submit, parent))
            for at, action, code in self.fate(parent, moment):
                self.at(at, partial(self.act, parent, action, code))

    def parent(self, number: int, place: _Place, received: datetime) -> _Parent:
        rng = self.rng
        route = _pick(rng, ROUTES)
        language = _pick(rng, LANGUAGES)
        interpreter = "yes" if language not in ("nl", "en") and rng.random() < INTERPRETER_SHARE else "no"
        professional, card, kind = None, None, None
        if route == "self":
            kind = _pick(rng, ADVISOR_KINDS)
        elif route == "self_with_code":
            professional, card_kind = rng.choice(self.cast.professionals)
            card = self.cast.cards[professional.id]
            kind = card_kind if rng.random() < 0.85 else None
        elif route == "assisted":
            professional = rng.choice(self.cast.professionals)[0]
        else:
            professional = rng.choice(self.cast.referring)
        consent_share = FEEDBACK_WITH_CARD if route == "self_with_code" else FEEDBACK_THROUGH_PROFESSIONAL
        weeks = _pick(rng, WEEKS_PREGNANT) + rng.randint(0, 2)
        due = DueMonth.of((received + timedelta(weeks=40 - weeks)).astimezone(ZONE).date())
        months = allowed_months(received.astimezone(ZONE).date())
        due = min(max(due, months[0]), months[-1])
        return _Parent(
            number=number,
            place=place,
            route="self" if route == "self_with_code" else route,
            language=language,
            interpreter=interpreter,
            advisor_kind=kind,
            professional=professional,
            card=card,
            feedback_consent=professional is not None and rng.random() < consent_share,
            no_fixed_address=rng.random() < NO_FIXED_ADDRESS_SHARE,
            due=due,
        )

    def fate(self, parent: _Parent, received: datetime) -> list[tuple[datetime, str, str | None]]:
        """What will happen to her registration: (moment, action, code), in time order. The
        actions are steps of the status flow or "withdraw", "erase", "twice" and "merge"."""
        rng = self.rng
        clock = _Clock(rng, received)
        first = _pick(rng, FIRST)
        response = _pick(rng, FIRST_RESPONSE_DAYS) + rng.randint(0, 1)
        if first == "withdrawn":
            return [clock.days(rng.randint(1, 8), "withdraw"), clock.working(rng.randint(1, 3), "erase")]
        if first == "twice":
            return [
                clock.days(rng.randint(1, 4), "twice"),
                clock.working(rng.randint(1, 3), "merge"),
                *self.contact(clock, response),
            ]
        if first == "not_reached":
            attempts = [clock.working(response, Step.CONTACT_ATTEMPT)]
            attempts += [clock.working(rng.randint(2, 5), Step.CONTACT_ATTEMPT) for _ in range(rng.randint(1, 2))]
            return [*attempts, clock.working(rng.randint(3, 10), Step.CLOSE, "not_reached")]
        if first in ("declined", "moved"):
            return [clock.working(response, Step.CONTACT_ATTEMPT), clock.working(rng.randint(0, 2), Step.CLOSE, first)]
        return self.contact(clock, response)

    def contact(self, clock: _Clock, response: int) -> list[tuple[datetime, str, str | None]]:
        rng = self.rng
        taken = []
        if rng.random() < 0.3:
            taken.append(clock.working(response, Step.CONTACT_ATTEMPT))
            response = rng.randint(1, 3)
        taken.append(clock.working(response, Step.CONTACT_MADE))
        after = _pick(rng, AFTER_CONTACT)
        if after == "declined":
            return [*taken, clock.working(rng.randint(0, 2), Step.CLOSE, "declined")]
        if after == "hand_over":
            return [*taken, clock.working(rng.randint(1, 5), Step.HAND_OVER)]
        taken.append(clock.working(0, Step.VISIT_PLANNED))
        for visit in range(_pick(rng, VISITS)):
            taken.append(clock.working(rng.randint(3, 10) if visit == 0 else rng.randint(5, 15), Step.VISIT_HELD))
        ending = _pick(rng, AFTER_VISITS)
        if ending == "follow_up":
            kinds = [_pick(rng, FOLLOW_UP_KINDS)]
            if rng.random() < 0.25:
                kinds.append(_pick(rng, FOLLOW_UP_KINDS))
            taken += [clock.working(0, Step.FOLLOW_UP, kind) for kind in dict.fromkeys(kinds)]
        if ending == "hand_over":
            return [*taken, clock.working(rng.randint(0, 5), Step.HAND_OVER)]
        return [*taken, clock.working(rng.randint(1, 10), Step.CLOSE, "visits_held")]

    # -- running ----------------------------------------------------------------------------------

    def run(self, start: Period) -> None:
        """Month by month: the actions of the month in time order, then the retention job at its end."""
        month = start
        while True:
            end = min(month.utc_bounds()[1], self.now)
            while self.queue and self.queue[0].moment < end:
                action = heapq.heappop(self.queue)
                action.run(action.moment)
            self.purge(end)
            if end >= self.now:
                break
            month = month.next()
        self.made.not_yet = len(self.queue)
        self.mark_mail_handled()
        self.made.purged = len(
            self.session.scalars(select(Registration.id).where(Registration.purged_at.is_not(None))).all()
        )

    def purge(self, moment: datetime) -> None:
        days = self.settings.purge_days_after_close
        retention.purge(self.session, moment, (moment - timedelta(microseconds=1)).astimezone(ZONE).date(), days)

    def mark_mail_handled(self) -> None:
        """The notifications a real desk would have sent long ago: handled, not delivered."""
        # Queued by the clock while the history was made: claimable from the last of them on.
        queued = self.session.scalar(select(func.max(OutboxMessage.available_at)))
        moment = max(self.now, queued) if queued is not None else self.now
        lease = timedelta(minutes=5)
        while (message_id := outbox.claim_next(self.session, OUTBOX_WORKER, moment, lease)) is not None:
            outbox.mark_sent(self.session, message_id, OUTBOX_WORKER, moment, OUTBOX_NOTE)

    def data(self, parent: _Parent, token: str) -> RegistrationData:
        place = parent.place
        return RegistrationData(
            name=f"Voorbeeldouder {_letters(parent.number)}",
            phone=f"+3160{parent.number:07d}",
            email=None,
            postcode=None if parent.no_fixed_address else Postcode.parse(f"{place.pc4} AB"),
            house=None if parent.no_fixed_address else HouseNumber.parse("1"),
            due=parent.due,
            language=parent.language,
            interpreter=parent.interpreter,
            preferences=ContactPreferences(),
            advisor_kind=parent.advisor_kind,
            note="",
            wants_mail=False,
            submission_token=token,
            municipality_code=place.municipality_code if parent.no_fixed_address else None,
            route=parent.route,
            advice_code=parent.card.code if parent.card is not None else None,
            feedback_consent=parent.feedback_consent,
            advisor_user_id=parent.professional.id if parent.route != "self" and parent.professional else None,
            consent_method="in_person" if parent.route == "referral" else None,
            no_fixed_address=parent.no_fixed_address,
        )

    def submit(self, parent: _Parent, when: datetime, *, second: bool = False) -> None:
        settings = submission.SubmitSettings(
            keys=self.settings.keys,
            region_ggd_codes=self.settings.region_ggd_codes,
            purge_weeks_after_due=self.settings.purge_weeks_after_due,
            today=when.astimezone(ZONE).date(),
            secret=self.settings.secret,
            now=when,
        )
        made = submission.submit(self.session, self.data(parent, secrets.token_urlsafe(16)), settings).registration
        self.made.registrations += 1
        if second:
            parent.second = made
        else:
            parent.registration = made

    def act(self, parent: _Parent, action: str, code: str | None, when: datetime) -> None:
        registration = parent.registration
        if registration is None or registration.purged_at is not None:
            self.made.too_late += 1
            return
        staff = self.cast.nurses[registration.organisation_id][parent.number % NURSES_PER_ORGANISATION]
        if action == "twice":
            self.submit(parent, when, second=True)
        elif action == "merge":
            duplicate = parent.second
            if duplicate is not None and duplicate.duplicate_of_id == registration.id and duplicate.purged_at is None:
                inbox.merge_duplicate(self.session, staff, duplicate, registration, when)
                self.made.merged += 1
        elif action == "withdraw":
            code_on_slip = submission.withdrawal_code(self.settings.secret, registration.id)
            submission.withdraw(self.session, registration.reference, code_on_slip, self.settings.secret, when)
            self.made.withdrawn += 1
        elif action == "erase":
            inbox.erase(self.session, staff, registration, when)
        else:
            inbox.record_step(self.session, staff, registration, Step(action), code, when)
            self.made.steps += 1


class _Clock:
    """Moments after the registration, on working days between 09:00 and 17:00, never going back."""

    def __init__(self, rng: random.Random, received: datetime) -> None:
        self.rng, self.last = rng, received

    def _at(self, day: date, action: str, code: str | None) -> tuple[datetime, str, str | None]:
        moment = max(_local(day, self.rng.randint(9, 16), self.rng.randint(0, 59)), self.last + timedelta(minutes=5))
        self.last = moment
        return moment, action, code

    def working(self, days: int, action: str, code: str | None = None) -> tuple[datetime, str, str | None]:
        """``days`` working days after the last moment (0: that day, or the next working day)."""
        day = self.last.astimezone(ZONE).date()
        while not working_days.is_working_day(day):
            day += timedelta(days=1)
        for _ in range(days):
            day += timedelta(days=1)
            while not working_days.is_working_day(day):
                day += timedelta(days=1)
        return self._at(day, action, code)

    def days(self, days: int, action: str) -> tuple[datetime, str, str | None]:
        """``days`` calendar days after the last moment (a parent acts on any day)."""
        return self._at(self.last.astimezone(ZONE).date() + timedelta(days=days), action, None)
