from tests.support.registration import register


def test_a_parent_registers_and_sees_her_organisation_and_reference(client):
    page = register(client)
    assert page.status == 200
    assert "JGZ Delfland (voorbeeld)" in page.text
