"""Two app nodes, one truth: what one node stores the other sees at once, and a change to the
sociale kaart made on one node is found by the other node's own search index soon after.

The nodes are spoken to directly (as nginx would forward: X-Forwarded-* headers), so which
node answers is certain.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.production.conftest import Stack
from tests.production.servers import NodeClient, unit_commands, wait_until
from tests.support.directory import WIJKTEAM_DELFT
from tests.support.pages import Page
from tests.support.registration import answers
from tests.web.helpers import form_fields

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("production")]  # one stack, one worker

REFERENCE = re.compile(r'<strong class="reference">\s*([0-9A-Z]{4}-[0-9A-Z]{4})\s*</strong>')
WITHDRAWAL = re.compile(r"\b([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\b")


def register_on(client: NodeClient, name: str) -> tuple[str, str]:
    form = Page.of(client.get("/aanmelden"))
    assert form.status == 200
    tokens = {k: form.hidden(k) for k in ("csrf_token", "submission_token", "started")}
    sent = client.post("/aanmelden/versturen", {**tokens, **answers(name=name), "send": "1"})
    assert sent.status_code == 303, sent.status_code
    confirmation = client.get("/aanmelden/bevestiging").text
    reference, withdrawal = REFERENCE.search(confirmation), WITHDRAWAL.search(confirmation)
    assert reference and withdrawal
    return reference.group(1), withdrawal.group(1)


def test_a_registration_sent_to_node_a_is_withdrawn_on_node_b(stack: Stack) -> None:
    a, b = stack.nodes
    reference, code = register_on(NodeClient(a, stack.host), "Lotte Jansen")

    on_b = NodeClient(b, stack.host)
    form = Page.of(on_b.get("/intrekken"))
    answered = on_b.post("/intrekken", {"csrf_token": form.hidden("csrf_token"), "reference": reference, "code": code})

    assert answered.status_code == 200, Page.of(answered).errors
    assert 'class="error' not in answered.text


def test_a_kaart_change_saved_on_node_a_is_found_by_node_b(stack: Stack) -> None:
    a, b = stack.nodes
    word = "zonnebloemspreekuur"
    public_b = NodeClient(b, stack.host, "192.0.2.20")

    def found_on_b() -> bool:
        return f"/sociale-kaart/aanbod/{WIJKTEAM_DELFT}" in public_b.get(f"/sociale-kaart?q={word}").text

    assert not found_on_b()  # node B has built its own index and does not know the word yet

    editor = NodeClient(a, stack.host, "192.0.2.21")
    login = Page.of(editor.get("/inloggen"))
    assert (
        editor.post(
            "/inloggen",
            {"csrf_token": login.hidden("csrf_token"), "email": stack.editor.email, "password": stack.editor.password},
        ).status_code
        == 303
    )
    form = form_fields(Page.of(editor.get(f"/sociale-kaart/beheer/{WIJKTEAM_DELFT}/bewerken")), "/bewerken")
    form["description"] = form["description"] + f" Elke woensdag een {word}."
    preview = Page.of(editor.post(f"/sociale-kaart/beheer/{WIJKTEAM_DELFT}/bewerken", list(form.items(multi=True))))
    assert preview.status == 200
    fields = form_fields(preview, "/bewerken")
    fields["save"] = "1"
    assert (
        editor.post(f"/sociale-kaart/beheer/{WIJKTEAM_DELFT}/bewerken", list(fields.items(multi=True))).status_code
        == 303
    )

    saved_at = time.monotonic()
    wait_until(found_on_b, "node B finds the word saved on node A", timeout=120, every=0.25)
    print(f"\nnode B found the change made on node A after {time.monotonic() - saved_at:.1f} s")


def test_the_daily_jobs_of_the_systemd_timer_run_against_the_stack(stack: Stack) -> None:
    """deploy/balie-daily.service, run as systemd would (its ExecStart lines, in order)."""
    import subprocess

    from balie.config import PROJECT_ROOT

    env = {**stack.env, "BALIE_SEARCH_INDEX_DIR": str(stack.nodes[0].folder / "search")}
    outputs = []
    for command in unit_commands("balie-daily.service"):
        done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
        outputs.append(done.stdout)
    assert "purged" in outputs[0] and "reminded" in outputs[1] and "intact" in outputs[2]
    assert "snapshots for" in outputs[3]
