from tests.support.accounts import nurse, admin, login, make_user, DELFLAND, HOFSTAD
from tests.support.registration import register
from tests.support.pages import Page
from balie.services.accounts import Grant

def test_explore(app, client):
    n = nurse(app)
    r = register(client, name="ZZCANARY-Anna", no_voicemail="y")
    print(r.text[:500])
    c2 = app.test_client()
    resp = login(c2, n)
    print(resp.status_code, resp.headers.get("Location"), resp.headers.getlist("Set-Cookie"))
    p = Page(c2.get("/inbox"))
    print(p.status, p.text[:1500])
    import re
    ids = re.findall(r'href="/inbox/([0-9a-f]{32})"', p.html)
    d = Page(c2.get(f"/inbox/{ids[0]}"))
    print(d.status, d.text[:3000])
    e = Page(app.test_client().get("/beheer/gebruikers"))
    print(e.status, e.response.headers.get("Location"))
    print(c2.get(f"/inbox/{ids[0]}/export.json").get_data(as_text=True))
