"""coordcheck.places: where a finding is, each place as data, and how places print — grouped by host,
hosts whose places are alike (but for the host's own name in a path) sharing one group."""

from coordcheck.places import HOST_MARK, Place, Where, place_lines


def test_a_place_prints_its_file_option_and_source():
    place = Place("ctl1", "cinder-api", "/etc/kolla/ctl1/cinder.conf", option="[coordination] backend_url",
                  source="config/cinder.conf:3")
    assert place.detail() == "/etc/kolla/ctl1/cinder.conf [coordination] backend_url, set by config/cinder.conf:3"
    assert place.text(host_mark=True).startswith(f"cinder-api         /etc/kolla/{HOST_MARK}/cinder.conf")
    assert Place(file="globals.yml:5").detail() == "file globals.yml:5"
    assert Place("ctl1", container="cinder_volume", address="10.0.2.110:26379").detail() == \
        "(inside cinder_volume) address 10.0.2.110:26379"
    assert place.as_dict()["source"] == "config/cinder.conf:3" and set(place.as_dict()) == {
        "host", "service", "file", "container", "address", "option", "source"}


def test_places_group_by_host_and_alike_hosts_share_a_group():
    alike = [Place(h, "mistral-api", f"/etc/kolla/{h}/mistral.conf") for h in ("ctl1", "ctl2")]
    other = [Place("stor1", "cinder-volume", "/etc/kolla/stor1/cinder.conf"),
             Place("stor1", "cinder-backup", "/etc/kolla/stor1/cinder.conf")]
    assert place_lines(alike + other) == [
        f"hosts ctl1, ctl2 (alike; {HOST_MARK} in a path is each host's name): mistral-api /etc/kolla/{HOST_MARK}/mistral.conf",
        "host stor1",
        "  cinder-volume      /etc/kolla/stor1/cinder.conf",
        "  cinder-backup      /etc/kolla/stor1/cinder.conf"]
    assert place_lines([Place(file="globals.yml:5")]) == ["file globals.yml:5"]


def test_where_lists_every_place_it_is_at():
    where = Where(host="ctl1", service="cinder-volume", file="/etc/kolla/cinder-volume/cinder.conf",
                  more_files=(("cinder-backup", "/etc/kolla/cinder-backup/cinder.conf"),), container="cinder_volume")
    assert [(p.service, p.container) for p in where.all_places()] == [("cinder-volume", "cinder_volume"),
                                                                      ("cinder-backup", None)]
    assert str(where).splitlines() == ["host ctl1, container cinder_volume",
                                       "            cinder-volume      /etc/kolla/cinder-volume/cinder.conf",
                                       "            cinder-backup      /etc/kolla/cinder-backup/cinder.conf"]
    assert where.one_line().startswith("host ctl1, container cinder_volume cinder-volume /etc/kolla/")
    assert str(Where()) == "deployment" and Where(address="10.0.2.110:26379").all_places()[0].address == "10.0.2.110:26379"


def test_where_over_several_hosts_prints_its_places_by_host():
    where = Where(places=tuple(Place(h, "mistral-api", f"/etc/kolla/{h}/mistral.conf") for h in ("ctl1", "ctl2")))
    assert str(where) == place_lines(list(where.places))[0] and where.all_places() == where.places
