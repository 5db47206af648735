"""Views keep to HTTP (issue 11, seam 2): read the form, call a service, flash, redirect or render, commit.

A view that sets an attribute of a model (``record.mfa_passed = True``) takes a decision of a use case
that a second entry point (a CLI command, the coming API) would not inherit; a view that seals or opens
data with the key ring does the service's crypto. Both belong in ``balie/services``. This scan of every
``views.py`` and ``*_views.py`` fails when either comes back:

- an assignment (``=``, ``+=``, ``del``, ``setattr``) to an attribute or item of anything but a form or
  one of its fields, the response the view built, or flask's ``session`` and ``g``;
- the key ring: ``extensions["balie.keys"]``, ``.seal(``/``.reseal(``, ``.open(``/``.sign(``/``.mac(`` on
  keys, or an import of ``balie.crypto``.

A form is a name the view binds to a ``…Form(…)`` call or annotates as ``…Form``, or is called ``form``,
``…_form`` or ``field``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BALIE = ROOT / "balie"

# Views that still do what this test forbids, each removed by another branch of issue 11. The lead
# empties this set after merging those branches; `test_known_exceptions_are_still_there` says when.
NOT_YET_MOVED: frozenset[tuple[str, str]] = frozenset()

# What a view may assign to: flask's per-request objects and the response it built.
REQUEST_OBJECTS = frozenset({"session", "g", "response"})
FORM_NAME = re.compile(r"^(form|field|\w+_form)$")
KEY_RING_METHODS = frozenset({"open", "sign", "mac"})  # on anything named like keys
SEALING_METHODS = frozenset({"seal", "reseal"})  # only the key ring seals


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"

    @property
    def known(self) -> tuple[str, str]:
        """How NOT_YET_MOVED names it: without the line number, which moves with every edit."""
        return (self.path, self.what)


def view_modules() -> list[Path]:
    return sorted(p for p in BALIE.rglob("*.py") if p.stem == "views" or p.stem.endswith("_views"))


def _root(node: ast.expr) -> ast.expr:
    """`form.code.errors` → `form`; `response.headers["x"]` → `response`."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node


def _is_form_class(node: ast.expr | None) -> bool:
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    return name.endswith("Form")


def _bound_forms(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Names a function binds to a form: `confirm = ConfirmPasswordForm()`, `a, b = AForm(), BForm()`,
    or a parameter `form: LoginForm`."""
    names = {a.arg for a in [*function.args.args, *function.args.kwonlyargs] if _is_form_class(a.annotation)}
    for node in ast.walk(function):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            pairs = (
                zip(target.elts, node.value.elts, strict=False)
                if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                else [(target, node.value)]
            )
            names |= {
                t.id for t, v in pairs if isinstance(t, ast.Name) and isinstance(v, ast.Call) and _is_form_class(v.func)
            }
    return names


def _assigned(node: ast.AST) -> list[ast.expr]:
    """The attribute and item targets a statement writes to (tuple targets unpacked)."""
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    elif isinstance(node, ast.Delete):
        targets = list(node.targets)
    else:
        return []
    flat: list[ast.expr] = []
    while targets:
        target = targets.pop()
        if isinstance(target, (ast.Tuple, ast.List)):
            targets.extend(target.elts)
        elif isinstance(target, ast.Starred):
            targets.append(target.value)
        elif isinstance(target, (ast.Attribute, ast.Subscript)):
            flat.append(target)
    return flat


def _may_assign(target: ast.expr, forms: set[str]) -> bool:
    root = _root(target)
    return isinstance(root, ast.Name) and (
        root.id in REQUEST_OBJECTS or root.id in forms or FORM_NAME.match(root.id) is not None
    )


class _AssignmentScan(ast.NodeVisitor):
    """Walks a module with the form names of the function it is in (nested functions see their outer ones)."""

    def __init__(self, path: str) -> None:
        self.path, self.forms, self.found = path, [set[str]()], list[Finding]()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.forms.append(self.forms[-1] | _bound_forms(node))
        self.generic_visit(node)
        self.forms.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def generic_visit(self, node: ast.AST) -> None:
        for target in _assigned(node):
            if not _may_assign(target, self.forms[-1]):
                self.found.append(Finding(self.path, target.lineno, f"{ast.unparse(target)} = …"))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"setattr", "delattr"}:
            self.found.append(Finding(self.path, node.lineno, ast.unparse(node)))
        super().generic_visit(node)


def model_assignments(path: str, source: str) -> list[Finding]:
    scan = _AssignmentScan(path)
    scan.visit(ast.parse(source, path))
    return scan.found


def key_ring_uses(path: str, source: str) -> list[Finding]:
    found = []
    for node in ast.walk(ast.parse(source, path)):
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Constant)
            and node.slice.value == "balie.keys"
        ):
            found.append(Finding(path, node.lineno, ast.unparse(node).replace('"', "'")))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method, receiver = node.func.attr, ast.unparse(node.func.value)
            if method in SEALING_METHODS or (method in KEY_RING_METHODS and "key" in receiver.lower()):
                found.append(Finding(path, node.lineno, f"{receiver}.{method}(…)"))
        elif isinstance(node, ast.ImportFrom) and node.module == "balie.crypto":
            found.append(Finding(path, node.lineno, "from balie.crypto import …"))
        elif isinstance(node, ast.Import) and any(alias.name == "balie.crypto" for alias in node.names):
            found.append(Finding(path, node.lineno, "import balie.crypto"))
    return found


def findings(scan: Callable[[str, str], list[Finding]]) -> list[Finding]:
    found = []
    for module in view_modules():
        found += scan(module.relative_to(ROOT).as_posix(), module.read_text(encoding="utf-8"))
    return found


def test_the_scan_sees_every_view_module() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in view_modules()}
    assert {"balie/auth/views.py", "balie/account/views.py", "balie/directory/manage_views.py"} <= names


def test_no_view_assigns_to_a_model() -> None:
    new = [str(f) for f in findings(model_assignments) if f.known not in NOT_YET_MOVED]
    assert not new, "a view takes a decision of a use case; move it into a service:\n" + "\n".join(new)


def test_no_view_touches_the_key_ring() -> None:
    new = [str(f) for f in findings(key_ring_uses) if f.known not in NOT_YET_MOVED]
    assert not new, "a view uses the key ring; a service should:\n" + "\n".join(new)


def test_known_exceptions_are_still_there() -> None:
    """Once the branch that removes one is merged, delete it from NOT_YET_MOVED (the set ends empty)."""
    present = {f.known for f in findings(model_assignments) + findings(key_ring_uses)}
    gone = sorted(NOT_YET_MOVED - present)
    assert not gone, f"these are fixed now: remove them from NOT_YET_MOVED: {gone}"


# --- the scan itself: it catches what it is for, and lets the HTTP work through -----------------------

FORBIDDEN = """
def login():
    record.mfa_passed = True
    record.mfa_failures += 1
    current_user.user.feedback_mail = not current_user.user.feedback_mail
    record.user.last_login_at, other = now, 1
    del registration.note
    setattr(answer, "accepted", True)
    question.tags["x"] = 1
"""

ALLOWED = """
def login(form: LoginForm):
    confirm, enable = ConfirmPasswordForm(prefix="confirm"), EnableTwoFactorForm(prefix="enable")
    owner_form = OwnerForm()
    form.email.data = known
    confirm.password.errors = ["…"]
    enable.code.errors = ["…"]
    owner_form.owner.choices = []
    field = form.current
    field.errors = [*field.errors, "…"]
    session["sid"] = token
    session.permanent = False
    response.headers["Content-Disposition"] = "attachment"
    record = load()
"""

KEY_RING = """
from balie.crypto import KeyRing

def enrol():
    keys = current_app.extensions["balie.keys"]
    sealed = keys.seal(secret, context)
    secret = settings.keys.open(sealed, context)
    person = inbox.details(registration, current_app.extensions["balie.keys"])
    index = store.open()
"""


def test_the_scan_finds_assignments_to_models() -> None:
    found = {f.what for f in model_assignments("x/views.py", FORBIDDEN)}
    assert found == {
        "record.mfa_passed = …",
        "record.mfa_failures = …",
        "current_user.user.feedback_mail = …",
        "record.user.last_login_at = …",
        "registration.note = …",
        "setattr(answer, 'accepted', True)",
        "question.tags['x'] = …",
    }


def test_the_scan_lets_forms_session_and_response_be_written() -> None:
    assert model_assignments("x/views.py", ALLOWED) == []


def test_the_scan_finds_the_key_ring() -> None:
    found = [f.what for f in key_ring_uses("x/views.py", KEY_RING)]
    assert found.count("current_app.extensions['balie.keys']") == 2
    assert {"from balie.crypto import …", "keys.seal(…)", "settings.keys.open(…)"} <= set(found)
    assert "store.open(…)" not in found  # a search index opened is not the key ring
