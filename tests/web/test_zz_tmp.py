from tests.web.test_vraagbaak import *
def test_x(desk):
    c = desk.client(desk.asker)
    for t in ["Iets heel anders over zwemles", "zwemles", "Xqzwvbnmklp pqrstvwxz"]:
        print(t, similar_titles(page(c, f"{ASK}?titel={quote(t)}").html))
