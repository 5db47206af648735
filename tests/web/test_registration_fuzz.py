"""Generated abuse of the send step (T-01, T-08): whatever is posted, no 5xx, nothing stored
unless an independent oracle says the registration is valid, and nothing echoed unescaped.

The oracle below is written from the rules a parent reads on the form (and the reference data
files), not from the app's form code: required fields, phone numbers and e-mail addresses as
the `phonenumbers` and `email-validator` libraries see them, Dutch postcodes, the offered
options, no control or bidi-override characters, the length limits, and routing through the
CBS postcode file and the sociale kaart's service areas.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import phonenumbers
import yaml
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import select

from balie.config import PROJECT_ROOT
from balie.extensions import db
from balie.models import Registration
from balie.registration.spam import FormGuard
from tests.conftest import TEST_SECRET, make_app
from tests.support.databases import copy_sqlite
from tests.support.pages import Page
from tests.support.registration import answers
from tests.web.helpers import error_links, form_fields

SEND = "/aanmelden/versturen"

# --- the oracle -----------------------------------------------------------------------------


def _reference_data() -> tuple[dict[str, set[str]], set[str]]:
    pc4: dict[str, set[str]] = {}
    with open(PROJECT_ROOT / "balie" / "data" / "pc4_gemeente.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            pc4.setdefault(row["pc4"], set()).add(row["gemeentecode"])
    # Without a fixed address she chooses one of the region's gemeenten (GGD Haaglanden, GG7014).
    with open(PROJECT_ROOT / "balie" / "data" / "gemeente_ggd_2024.csv", encoding="utf-8") as handle:
        REGION_GEMEENTEN.update(row["gemeentecode"] for row in csv.DictReader(handle) if row["ggd_code"] == "GG7014")
    served: set[str] = set()
    for path in sorted((PROJECT_ROOT / "sociale_kaart").rglob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(document, dict):
            continue
        for service in document.get("services") or []:
            if service.get("kind") == "phb" and service.get("status") == "active":
                served.update(service.get("areas") or [])
    return pc4, served


REGION_GEMEENTEN: set[str] = set()
PC4_GEMEENTEN, SERVED = _reference_data()
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
CALL_TIMES = {"morning", "afternoon", "evening"}


def _percent_escape(error: UnicodeDecodeError) -> tuple[str, int]:
    return "".join(f"%{byte:02X}" for byte in error.object[error.start : error.end]), error.end


codecs.register_error("balie-test.percent", _percent_escape)


def arrives_as(text: str) -> str:
    """What the server receives: a lone surrogate is not UTF-8; its bytes arrive as %XX text."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "balie-test.percent")


def _clean(text: str, multiline: bool = False) -> bool:
    for ch in text:
        if ch in BIDI_CONTROLS:
            return False
        if unicodedata.category(ch) == "Cc" and not (multiline and ch in "\t\r\n"):
            return False
    return True


def _phone_ok(text: str) -> bool:
    text = text.strip()
    if len(text) > 32:
        return False
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(text, "NL"))
    except phonenumbers.NumberParseException:
        return False


def _email_ok(text: str) -> bool:
    text = text.strip()
    if len(text) > 254:
        return False
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _compact(text: str) -> str:
    """Postcodes and additions are read without spaces or dashes, in capitals."""
    return "".join(ch for ch in text if not (ch.isspace() or ch in "-\u200b")).upper()


@dataclass(frozen=True)
class Verdict:
    valid: bool
    reason: str
    municipality: str | None = None
    language: str | None = None
    interpreter: str | None = None
    advisor_kind: str | None = None
    wants_mail: bool = False
    no_fixed_address: bool = False


@dataclass(frozen=True)
class Options:
    due_months: frozenset[str]
    languages: frozenset[str]
    advisor_kinds: frozenset[str]
    page_language: str = "en"  # the language question starts at the page's language


def oracle(pairs: list[tuple[str, str]], options: Options) -> Verdict:
    received = [(arrives_as(k), arrives_as(v)) for k, v in pairs]

    def first(name: str) -> str | None:
        return next((value for key, value in received if key == name), None)

    def every(name: str) -> list[str]:
        return [value for key, value in received if key == name]

    def no(reason: str) -> Verdict:
        return Verdict(False, reason)

    name = first("name")
    if name is None or not name.strip():
        return no("name missing")
    if len(name) > 80 or not _clean(name):
        return no("name")
    phone, email = first("phone") or "", first("email") or ""
    if not _clean(phone) or not _clean(email):
        return no("special characters in contact")
    if phone.strip() and not _phone_ok(phone):
        return no("phone")
    if email.strip() and not _email_ok(email):
        return no("email")
    if not phone.strip() and not email.strip():
        return no("no way to reach her")
    wants_mail = first("wants_mail") not in (None, "", "false")
    if wants_mail and not email.strip():
        return no("mail without address")

    # "I have no fixed address now": then the address fields count for nothing, the gemeente and
    # the optional place do (and the other way round).
    no_fixed_address = first("no_fixed_address") not in (None, "", "false")
    if no_fixed_address:
        stay = first("no_address_municipality") or ""
        if not stay:
            return no("gemeente without address missing")
        reachable = first("reachable_at") or ""
        if len(reachable) > 100 or not _clean(reachable):
            return no("reachable at")
    else:
        postcode = first("postcode") or ""
        compact = _compact(postcode)
        if not postcode.strip() or not re.fullmatch(r"[1-9][0-9]{3}[A-Z]{2}", compact, re.ASCII):
            return no("postcode")
        if compact[4:] in {"SA", "SD", "SS"}:
            return no("postcode letters")
        number = (first("house_number") or "").strip()
        if not re.fullmatch(r"[1-9][0-9]{0,4}", number, re.ASCII):
            return no("house number")
        addition = first("house_number_addition") or ""
        if addition.strip() and _compact(addition) and not re.fullmatch(r"[A-Z0-9]{1,6}", _compact(addition), re.ASCII):
            return no("addition")

    due = first("due_month")
    if not due or due.strip() not in options.due_months:
        return no("due month")
    language = first("language")
    language = options.page_language if language is None else language
    if language not in options.languages:
        return no("language")
    interpreter = first("interpreter")
    if interpreter not in {"no", "yes"}:
        return no("interpreter")
    if any(value not in CALL_TIMES for value in every("call_times")):
        return no("call times")
    advisor = first("advisor_kind") or ""
    if advisor and advisor not in options.advisor_kinds:
        return no("advisor")
    note = first("note") or ""
    if len(note) > 500 or not _clean(note, multiline=True):
        return no("note")
    if first("website"):
        return no("honeypot")

    if no_fixed_address:
        if stay not in REGION_GEMEENTEN:
            return no("gemeente not in the region")
        gemeenten = {stay}
    else:
        gemeenten = PC4_GEMEENTEN.get(compact[:4], set())
        if not gemeenten:
            return no("unknown postcode")
        if len(gemeenten) > 1:
            chosen = first("municipality")
            if chosen not in gemeenten:
                return no("gemeente not chosen")
            gemeenten = {chosen}
    (municipality,) = gemeenten
    if municipality not in SERVED:
        return no("not served")
    return Verdict(True, "ok", municipality, language, interpreter, advisor or None, wants_mail, no_fixed_address)


# --- the generator --------------------------------------------------------------------------

MARKER = "fz"
INJECTIONS = [
    "<script>fz()</script>",
    '"><img src=x onerror=fz()>',
    "'><svg onload=fz()>",
    "</textarea><b fzb>x</b>",
    '" autofocus onfocus="fz()',
    "' fzattr='1",
    "<!--fz-->",
    "{{7*7}}fz",
    "{% raw %}fz",
    "'; DROP TABLE registration; --fz",
    "\r\nBcc: fz@evil.example",
    '=HYPERLINK("http://fz.example")',
    "x&wants_mail=y&advisor_kind=gp&fz=1",
    "javascript:fz()",
]
ODD = [
    "",
    " ",
    "\x00",
    "Sam\x00",
    "\u202eevil",
    "a\u0301\u0301\u0301",
    "\ufeff",
    "\u200b",
    "\ud800",
    "x\udfffy",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "٠٦١٢٣٤٥٦٧٨",
    "2024-02-30",
    "2027-+2",
    "0000AA",
    "1234 SA",
    "1234aa",
    "2611 SS",
    "9999 ZZ",
    "2600 AA",
    "true",
    "false",
    "null",
    "[]",
    "{}",
    "1e309",
    "-1",
    "0",
    "NaN",
    "y",
    "on",
    "%FF",
]


def junk() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(ODD + INJECTIONS),
        st.text(max_size=40),
        st.text(alphabet=st.characters(categories=("Cc", "Cs", "Cf", "Mn", "Lo", "Zs", "Po")), max_size=20),
        st.text(min_size=81, max_size=700),
        st.builds(lambda ch, n: ch * n, st.sampled_from(["a", "é", "<", "\x00", "9"]), st.integers(490, 5000)),
        st.integers().map(str),
        st.floats(allow_nan=True).map(str),
    )


@dataclass(frozen=True)
class Field:
    name: str
    good: st.SearchStrategy[Any]  # a str, None (left out) or a list (several values)


def fields(options: Options) -> list[Field]:
    maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731
    return [
        Field(
            "name", st.sampled_from(["Sam", "Fatima El Amrani", "Zoë", "محمد", "李小龙", "O'Brien", "Anne-Marie <3"])
        ),
        Field("phone", st.sampled_from(["06 12345678", "+32 470 12 34 56", "0031612345678", "070 123 4567", ""])),
        Field("email", st.sampled_from(["", "sam@example.com", "fatima.el-amrani@example.nl", "a&b@example.org"])),
        Field("wants_mail", maybe(st.sampled_from(["y", "false", ""]))),
        Field("no_fixed_address", st.sampled_from([None, None, None, "y"])),
        Field(
            "postcode",
            st.sampled_from(
                ["2611 AB", "2611ab", "2511 CV", "2711-AA", "7351 AB", "1012 AB", "2288 GA", "2631 AB", ""]
            ),
        ),
        Field("house_number", st.sampled_from(["1", "12", "99999"])),
        Field("house_number_addition", maybe(st.sampled_from(["", "a", "bis", "2-h", "III"]))),
        Field("municipality", maybe(st.sampled_from(["GM0200", "GM0228", "GM0503", "GM9999"]))),
        Field("no_address_municipality", maybe(st.sampled_from(["GM0503", "GM0637", "GM0363", "GM9999", ""]))),
        Field("reachable_at", maybe(st.sampled_from(["", "Opvang De Haven", "bij mijn zus", "x" * 100]))),
        Field("due_month", st.sampled_from(sorted(options.due_months))),
        Field("language", maybe(st.sampled_from(sorted(options.languages)))),
        Field("interpreter", st.sampled_from(["no", "yes"])),
        Field("call_times", maybe(st.lists(st.sampled_from(sorted(CALL_TIMES)), max_size=3, unique=True))),
        Field("no_voicemail", maybe(st.just("y"))),
        Field("no_text_messages", maybe(st.just("y"))),
        Field("only_chosen_times", maybe(st.just("y"))),
        Field("discreet", maybe(st.just("y"))),
        Field("advisor_kind", maybe(st.sampled_from(sorted(options.advisor_kinds | {""})))),
        Field("note", maybe(st.sampled_from(["", "Graag bellen na vijven.", "Line one\r\nLine two\ttab", "x" * 500]))),
        Field("website", st.sampled_from([None, None, None, ""])),
    ]


@st.composite
def bodies(draw: Any, options: Options) -> tuple[list[tuple[str, str]], bool]:
    """Form pairs, mostly a good registration with a few fields broken in some way."""
    rate = draw(st.sampled_from([0, 0, 5, 15, 40, 80]))  # % of fields broken
    # Often one free-text field carries an injection payload while the rest is fine, so the
    # payload reaches the pages that show answers (check page, gemeente question, kind page).
    inject_into = draw(
        st.sampled_from([None, None, None, "name", "note", "name", "note", "email", "house_number_addition"])
    )
    pairs: list[tuple[str, str]] = []
    for field in fields(options):
        good = draw(field.good)
        good_values = [] if good is None else (good if isinstance(good, list) else [good])
        mode = (
            "good"
            if draw(st.integers(0, 99)) >= rate
            else draw(
                st.sampled_from(["missing", "junk", "junk", "duplicate", "duplicate first", "many", "wrong type"])
            )
        )
        if field.name == inject_into:
            mode = "inject"
        if mode == "inject":
            values = [draw(st.sampled_from(INJECTIONS))]
        elif mode == "good":
            values = good_values
        elif mode == "missing":
            values = []
        elif mode == "junk":
            values = [draw(junk())]
        elif mode == "duplicate":
            values = [*good_values, draw(junk())]
        elif mode == "duplicate first":
            values = [draw(junk()), *good_values]
        elif mode == "many":
            values = draw(st.lists(junk(), min_size=2, max_size=5))
        else:
            values = [draw(st.sampled_from(["[]", "{}", "1", "0", "-5", "3.14", "None", "True", "on", "checked"]))]
        pairs.extend((field.name, value) for value in values)
    unknown = draw(
        st.lists(
            st.tuples(
                st.one_of(
                    junk(),
                    st.sampled_from(["feedback_consent", "route", "status", "id", "organisation_id", "reference"]),
                ),
                junk(),
            ),
            max_size=3,
        )
    )
    pairs.extend(unknown)
    if draw(st.booleans()):
        pairs = draw(st.permutations(pairs))
    raw_garbage = draw(st.integers(0, 99)) < 2  # a body that is not UTF-8 at all
    return pairs, raw_garbage


def encode(pairs: list[tuple[str, str]]) -> bytes:
    def q(text: str) -> str:
        return quote(text, safe="", encoding="utf-8", errors="surrogatepass")

    return "&".join(f"{q(k)}={q(v)}" for k, v in pairs).encode("ascii")


# --- what the page must not contain ---------------------------------------------------------

DANGEROUS_TAGS = {"script", "img", "svg", "iframe", "object", "embed", "style", "b", "base", "math"}


class _Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        own_scripts = {"/static/js/conditional-fields.js", "/static/js/exit-this-page.js"}  # the desk's own
        own_script = (
            tag == "script"
            and len(attrs) == 2
            and attrs[0][0] == "src"
            and attrs[0][1] in own_scripts
            and attrs[1] == ("defer", None)
        )
        if (tag in DANGEROUS_TAGS and not own_script) or tag.startswith(MARKER):
            self.bad.append(f"<{tag}>")
        for name, _value in attrs:
            if name.startswith("on") or name.startswith(MARKER):
                self.bad.append(f"{tag}[{name}]")

    def handle_comment(self, data: str) -> None:
        if MARKER in data:
            self.bad.append("comment")


def assert_nothing_injected(html: str, pairs: list[tuple[str, str]]) -> None:
    parser = _Structure()
    parser.feed(html)
    parser.close()
    assert not parser.bad, parser.bad
    for _key, value in pairs:
        shown = arrives_as(value)
        if escape(shown) == shown or (len(shown) < 12 and MARKER not in shown):
            continue  # nothing to escape, or too short to tell apart from the page's own markup
        assert shown not in html.replace(str(escape(shown)), ""), f"unescaped: {shown!r}"


# --- the test -------------------------------------------------------------------------------


def test_generated_submissions_never_crash_store_only_valid_ones_and_escape_everything(sqlite_template_path, tmp_path):
    app = make_app(copy_sqlite(sqlite_template_path, tmp_path / "balie.sqlite3"), tmp_path)
    client = app.test_client()
    client.set_cookie("balie_lang", "en")
    form = Page(client.get("/aanmelden"))
    csrf_token = form.hidden("csrf_token")
    options = Options(
        due_months=frozenset(v for v in form.options("due_month") if v),
        languages=frozenset(form.options("language")),
        advisor_kinds=frozenset(v for v in form.options("advisor_kind") if v),
    )
    guard = FormGuard(TEST_SECRET, 0, 24 * 3600)
    tally = {"examples": 0, "valid": 0, "stored": 0}

    def count() -> int:
        with app.app_context():
            return len(db.session.scalars(select(Registration.id)).all())

    @settings(
        max_examples=1000,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )
    @given(body=bodies(options))
    # Always tried, whatever the draw: a plain valid registration, and one with every optional field.
    @example(body=(list(answers().items()), False))
    @example(
        body=(
            [
                *list(
                    answers(
                        email="sam@example.org",
                        note="Graag na vijven",
                        advisor_kind="midwife",
                        interpreter="yes",
                        language="en",
                    ).items()
                ),
                ("call_times", "morning"),
            ],
            False,
        )
    )
    def submit(body: tuple[list[tuple[str, str]], bool]) -> None:
        pairs, raw_garbage = body
        submission = guard.new_submission_token()
        tokens = [
            ("csrf_token", csrf_token),
            ("submission_token", submission),
            ("started", guard.timing_token(submission)),
        ]
        payload = encode(tokens + pairs) + (b"&note=\xff\xfe" if raw_garbage else b"")
        verdict = oracle(pairs, options) if not raw_garbage else Verdict(False, "not UTF-8")
        before = count()

        # The check step: never stores, shows the answers back (escaped) when they are valid.
        checked = client.post("/aanmelden", data=payload, content_type="application/x-www-form-urlencoded")
        assert checked.status_code < 500, verdict.reason
        assert count() == before
        assert checked.status_code in {200, 400}, verdict.reason
        check_page = Page(checked)
        assert_nothing_injected(check_page.html, pairs)
        if verdict.valid:
            assert check_page.title.startswith("Check your answers"), (verdict.reason, check_page.errors)
            typed_name = next(arrives_as(v) for k, v in pairs if arrives_as(k) == "name")
            assert form_fields(check_page, SEND).get("name") == typed_name, "her answer goes on unchanged"
        else:
            assert_kind_answer(check_page, verdict)

        # The send step: stores exactly the valid ones.
        response = client.post(SEND, data=payload, content_type="application/x-www-form-urlencoded")
        stored = count() - before
        tally["examples"] += 1
        tally["valid"] += verdict.valid
        tally["stored"] += stored
        assert response.status_code < 500, verdict.reason
        assert stored == (1 if verdict.valid else 0), (verdict.reason, response.status_code)
        if verdict.valid:
            assert response.status_code == 303
            key = hashlib.sha256(submission.encode()).hexdigest()
            with app.app_context():
                row = db.session.scalars(select(Registration).where(Registration.submission_key == key)).one()
            assert row.municipality_code == verdict.municipality
            assert (row.language, row.interpreter, row.advisor_kind) == (
                verdict.language,
                verdict.interpreter,
                verdict.advisor_kind,
            )
            assert row.wants_mail == verdict.wants_mail
            assert row.no_fixed_address is verdict.no_fixed_address
            assert (row.address_sealed is None) is verdict.no_fixed_address, "an address only with a fixed address"
            assert row.privacy_text_version
            return
        assert response.status_code in {200, 400}, verdict.reason
        page = Page(response)
        assert_nothing_injected(page.html, pairs)
        if response.status_code == 400:
            assert form_posting_back(page), "the form comes back"
            assert error_links(page) or 'class="notice' in page.html, "with the reason at the top"
        else:  # the postcode did not lead to an organisation: a question or a kind page
            assert verdict.reason == "not served", verdict.reason

    submit()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    assert tally["examples"] >= 1000
    assert tally["valid"] >= 2, f"valid registrations were tried and stored: {tally}"
    assert tally["stored"] == tally["valid"]


def form_posting_back(page: Page) -> bool:
    return bool(re.search(r'<form[^>]+action="/aanmelden"', page.html))


def assert_kind_answer(page: Page, verdict: Verdict) -> None:
    """An invalid answer at the check step: the form with the reason, or a routing page."""
    if page.status == 400:
        assert form_posting_back(page)
        assert error_links(page) or 'class="notice' in page.html
    else:
        assert verdict.reason in {"honeypot", "gemeente not chosen", "not served"}, verdict.reason


def test_the_oracle_agrees_with_hand_made_examples():
    """The oracle itself must be right, or the fuzz test proves nothing."""
    options = Options(frozenset({"2027-02"}), frozenset({"nl", "en"}), frozenset({"gp"}))
    good = [
        ("name", "Sam"),
        ("phone", "06 12345678"),
        ("postcode", "2611 ab"),
        ("house_number", "12"),
        ("due_month", "2027-02"),
        ("interpreter", "no"),
    ]
    assert oracle(good, options).valid
    assert oracle([*good, ("municipality", "GM0537")], options).municipality == "GM0503"

    def changed(**values: str | None) -> list[tuple[str, str]]:
        pairs = [(k, v) for k, v in good if k not in values]
        return pairs + [(k, v) for k, v in values.items() if v is not None]

    for broken, reason in [
        (changed(name="  "), "name missing"),
        (changed(name="Sam\u202e"), "name"),
        (changed(phone="123"), "phone"),
        (changed(phone=None), "no way to reach her"),
        (changed(postcode="1234 SA"), "postcode letters"),
        (changed(postcode="0000AA"), "postcode"),
        (changed(postcode="2600 AA"), "unknown postcode"),
        (changed(postcode="1012 AB"), "not served"),
        (changed(postcode="7351 AB"), "gemeente not chosen"),
        (changed(no_fixed_address="y"), "gemeente without address missing"),
        (changed(no_fixed_address="y", no_address_municipality="GM0363"), "gemeente not in the region"),
        (changed(no_fixed_address="y", no_address_municipality="GM0503", reachable_at="x" * 101), "reachable at"),
        (changed(no_fixed_address="y", no_address_municipality="GM0503", postcode="junk"), "ok"),
        (changed(no_address_municipality="GM9999", reachable_at="\x00"), "ok"),  # ignored without the box
        (changed(due_month="2024-02-30"), "due month"),
        (changed(interpreter=None), "interpreter"),
        (changed(note="x" * 501), "note"),
        (changed(website="http://x"), "honeypot"),
        (changed(wants_mail="y"), "mail without address"),
        (changed(name="A\ud800"), "ok"),  # arrives as "A%ED%A0%80": odd, but a name
    ]:
        assert oracle(broken, options).reason == reason, (broken, reason)
    assert oracle(changed(postcode="7351 AB", municipality="GM0228"), options).reason == "not served"
    assert oracle(changed(no_fixed_address="y", no_address_municipality="GM0637"), options).municipality == "GM0637"
    assert oracle(good, options).language == "en", "no language posted: the page's language (English here)"
    assert oracle(changed(wants_mail="false"), options).valid
