"""No blueprint imports another blueprint (issue 11, seam 1).

A blueprint package (``balie/<name>/`` with a ``views.py`` or ``*_views.py``) may import services,
the registration flow (``balie/registration``) and the web helpers (``balie/web``), but nothing of
another blueprint: not its views (routes, error handlers, the steps of a flow), and not its forms
(a form several blueprints share lives in ``balie/web/forms.py``). The shared packages and the rest
of the code import no blueprint either, so they cannot become a back door; only the app factory
registers the blueprints.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

BALIE = Path(__file__).resolve().parents[2] / "balie"
APP_FACTORY = "balie/__init__.py"


def _is_views(module: str) -> bool:
    return module == "views" or module.endswith("_views")


BLUEPRINTS = frozenset(
    path.parent.name for path in BALIE.glob("*/*.py") if _is_views(path.stem) and (path.parent / "__init__.py").exists()
)


@dataclass(frozen=True)
class Import:
    where: str  # file and line, e.g. balie/advice/views.py:23
    target: str  # the dotted name imported, e.g. balie.public.views.send

    @property
    def blueprint(self) -> str | None:
        parts = self.target.split(".")
        return parts[1] if len(parts) > 1 and parts[0] == "balie" and parts[1] in BLUEPRINTS else None

    @property
    def of_views(self) -> bool:
        parts = self.target.split(".")
        return self.blueprint is not None and len(parts) > 2 and _is_views(parts[2])


def owner(relative: str) -> str | None:
    """The blueprint package a file belongs to (``balie/advice/views.py`` → ``advice``)."""
    parts = relative.split("/")
    return parts[1] if len(parts) > 2 and parts[1] in BLUEPRINTS else None


def imports_in(relative: str, source: str) -> list[Import]:
    """Every name a module imports, relative imports resolved (``from ..public import views``)."""
    package = relative.split("/")[:-1]  # the package a relative import starts from
    found = []
    for node in ast.walk(ast.parse(source, relative)):
        if isinstance(node, ast.Import):
            found += [Import(f"{relative}:{node.lineno}", alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found += [Import(f"{relative}:{node.lineno}", f"{module}.{alias.name}") for alias in node.names]
    return found


def all_imports() -> list[Import]:
    root = BALIE.parent
    return [
        found
        for path in sorted(BALIE.rglob("*.py"))
        for found in imports_in(path.relative_to(root).as_posix(), path.read_text(encoding="utf-8"))
    ]


def crossings(imports: list[Import]) -> list[Import]:
    """Imports of a blueprint from a module outside that blueprint (the app factory excepted)."""
    return [
        found
        for found in imports
        if found.blueprint is not None
        and found.blueprint != owner(found.where.split(":")[0])
        and found.where.split(":")[0] != APP_FACTORY
    ]


def report(found: list[Import]) -> str:
    return "\n".join(f"  {i.where} imports {i.target}" for i in found)


def test_the_scan_sees_every_blueprint_package() -> None:
    assert {"public", "advice", "auth", "account", "inbox", "manage", "qa", "directory"} <= BLUEPRINTS
    assert not {"registration", "web", "services"} & BLUEPRINTS, "shared packages are no blueprints"


def test_no_blueprint_imports_the_views_of_another_blueprint() -> None:
    wrong = [found for found in crossings(all_imports()) if found.of_views and owner(found.where.split(":")[0])]
    assert not wrong, (
        "a blueprint imports another blueprint's views; move what they share to balie/registration "
        "(the registration flow) or balie/web:\n" + report(wrong)
    )


def test_no_blueprint_imports_anything_of_another_blueprint() -> None:
    wrong = [found for found in crossings(all_imports()) if owner(found.where.split(":")[0])]
    assert not wrong, (
        "a blueprint imports from another blueprint; forms or helpers several blueprints share belong in "
        "balie/web/forms.py (or balie/registration for the registration flow):\n" + report(wrong)
    )


def test_shared_code_imports_no_blueprint() -> None:
    """balie/registration, balie/web, services, errors …: only the app factory registers blueprints."""
    wrong = [found for found in crossings(all_imports()) if owner(found.where.split(":")[0]) is None]
    assert not wrong, "code outside the blueprints imports a blueprint:\n" + report(wrong)


def test_the_scan_finds_the_old_seam_in_every_spelling() -> None:
    """The scan would have caught advice/views.py taking the flow from public/views.py."""
    spellings = [
        "from balie.public.views import form_expired, register_error_handlers, send",
        "from balie.public import views",
        "import balie.public.views",
        "from ..public.views import send",
        "from ..public import views as public_views",
    ]
    for spelling in spellings:
        found = crossings(imports_in("balie/advice/views.py", spelling + "\n"))
        assert found and all(i.of_views and i.blueprint == "public" for i in found), spelling
    assert crossings(imports_in("balie/advice/views.py", "from balie.account.forms import EmptyForm\n"))
    assert crossings(imports_in("balie/registration/flow.py", "from balie.public.views import send\n"))
    allowed = (
        "from balie.registration import flow\nfrom balie.web.forms import EmptyForm\nfrom .forms import CardForm\n"
    )
    assert not crossings(imports_in("balie/advice/views.py", allowed))
    assert not crossings(imports_in(APP_FACTORY, "from balie.public.views import blueprint\n"))
