"""An Open311 (GeoReport v2) client's round trip, in JSON and XML, with the spec's errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from console_helpers import csrf_of, login
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server_sync.console.open311 import create_client


def _key(server, name="city-app") -> str:
    with server.database.transaction() as session:
        return create_client(session, name, "test")


def test_client_lists_services_posts_a_request_and_sees_it_closed(console_server):
    key = _key(console_server)
    with console_server.client() as client:
        services = client.get("/open311/v2/services.json").json()
        codes = {s["service_code"]: s for s in services}
        assert len(codes) == 12 and codes["lift_fault"]["metadata"] is True
        assert codes["lift_fault"]["type"] == "realtime"

        definition = client.get("/open311/v2/services/lift_fault.json").json()
        assert definition["service_code"] == "lift_fault"
        assert [a["code"] for a in definition["attributes"]] == ["building", "unit"]

        posted = client.post(
            "/open311/v2/requests.json",
            data={"api_key": key, "service_code": "lift_fault", "address_id": "b12-lift-2",
                  "attribute[building]": "12", "description": "电梯异响", "phone": "13900001111",
                  "first_name": "张"},
        )  # fmt: skip
        assert posted.status_code == 201, posted.text
        [created] = posted.json()
        request_id = created["service_request_id"]
        assert request_id.startswith("API-") and "12 hours" in created["service_notice"]

        [fetched] = client.get(f"/open311/v2/requests/{request_id}.json").json()
        assert fetched["status"] == "open"
        assert fetched["service_code"] == "lift_fault" and fetched["address_id"] == "b12-lift-2"
        assert fetched["agency_responsible"]  # routed to the lift company at once
        # Open to anyone, so nothing personal: no description, no phone, no name.
        text = str(fetched)
        assert "电梯异响" not in text and "13900001111" not in text and "张" not in text

        # The lift company closes it on the console.
        with console_server.client() as staff:
            login(staff, "admin")
            token = csrf_of(staff.get(f"/console/reports/{request_id}").text)
            for step, data in (("accept", {}), ("resolve", {"note": "已调整导轨"})):
                response = staff.post(
                    f"/console/reports/{request_id}/{step}", data={"csrf": token, **data}
                )
                assert "done=" in response.headers["location"]

        [after] = client.get(f"/open311/v2/requests/{request_id}.json").json()
        assert (
            after["status"] == "closed" and after["status_notes"] == "resolved by the department"
        )

        closed = client.get("/open311/v2/requests.json", params={"status": "closed"}).json()
        assert request_id in [r["service_request_id"] for r in closed]
        still_open = client.get("/open311/v2/requests.json", params={"status": "open"}).json()
        assert request_id not in [r["service_request_id"] for r in still_open]

        xml = client.get(f"/open311/v2/requests.xml?service_request_id={request_id}")
        assert xml.headers["content-type"].startswith("text/xml")
        root = ET.fromstring(xml.content)
        assert root.tag == "service_requests"
        assert root.find("request/status").text == "closed"
        services_xml = ET.fromstring(client.get("/open311/v2/services.xml").content)
        assert len(services_xml.findall("service")) == 12


def test_errors_follow_the_specification_in_both_formats(console_server):
    key = _key(console_server, "second-app")
    with console_server.client() as client:
        no_key = client.post(
            "/open311/v2/requests.json", data={"service_code": "noise", "address_id": "b03"}
        )
        assert no_key.status_code == 403
        [error] = no_key.json()
        assert error["code"] == 403 and "api_key" in error["description"]

        xml = client.post(
            "/open311/v2/requests.xml",
            data={"api_key": key, "service_code": "no_such_thing", "address_id": "b03"},
        )
        assert xml.status_code == 400
        root = ET.fromstring(xml.content)
        assert root.tag == "errors" and root.find("error/code").text == "400"
        assert "service_code" in root.find("error/description").text

        no_place = client.post(
            "/open311/v2/requests.json", data={"api_key": key, "service_code": "noise"}
        )
        assert no_place.status_code == 400 and "location" in no_place.json()[0]["description"]
        assert client.get("/open311/v2/requests/XYZ.json").status_code == 404
        assert client.get("/open311/v2/services/nothing.json").json()[0]["code"] == 404
        assert client.get("/open311/v2/services.yaml").json()[0]["code"] == 400
        bad_date = client.get("/open311/v2/requests.json", params={"start_date": "yesterday"})
        assert bad_date.status_code == 400

        by_place = client.post(
            "/open311/v2/requests.json",
            data={"api_key": key, "service_code": "noise", "lat": "30.1", "long": "114.2"},
        )
        assert by_place.status_code == 201


def test_revoked_key_cannot_post(console_server):
    key = _key(console_server, "old-app")
    with console_server.client() as admin:
        login(admin, "admin")
        page = admin.get("/console/staff").text
        token = csrf_of(page)
        client_id = page.split("old-app")[1].split("/console/open311/clients/")[1].split("/")[0]
        admin.post(f"/console/open311/clients/{client_id}/revoke", data={"csrf": token})
    with console_server.client() as client:
        response = client.post(
            "/open311/v2/requests.json",
            data={"api_key": key, "service_code": "noise", "address_id": "b03"},
        )
    assert response.status_code == 403


FIELD = st.text(st.characters(blacklist_categories=("Cs",)), max_size=120)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fields=st.dictionaries(
        st.sampled_from(["service_code", "address_id", "address_string", "lat", "long",
                         "description", "phone", "attribute[building]", "attribute[unit]",
                         "email", "jurisdiction_id"]),
        FIELD,
    ),
    fmt=st.sampled_from(["json", "xml"]),
)  # fmt: skip
def test_any_posted_request_gets_a_result_or_the_spec_error_list(console_server, fields, fmt):
    key = _fuzz_key(console_server)
    with console_server.client() as client:
        response = client.post(f"/open311/v2/requests.{fmt}", data={"api_key": key, **fields})
    assert response.status_code in (201, 400), response.text[:300]
    if response.status_code == 400:
        if fmt == "json":
            [error] = response.json()
            assert error["code"] == 400 and error["description"]
        else:
            assert ET.fromstring(response.content).find("error/code").text == "400"


_fuzz_keys: dict[str, str] = {}


def _fuzz_key(server) -> str:
    if server.url not in _fuzz_keys:
        _fuzz_keys[server.url] = _key(server, "fuzz")
    return _fuzz_keys[server.url]
