"""Where a rendered value lands (coordcheck/checks/rendered_places.py): one text per place, the key the repairs
look records up by."""
from coordcheck.checks.rendered_places import place_key, rendered_place, where_of
from coordcheck.kolla.render.values import Record

KOLLA = Record("ctl1", "cinder-api", "cinder.conf", "coordination", "backend_url", "redis://h:26379")
OVERRIDE = Record("ctl2", "cinder-volume", "cinder.conf", "coordination", "backend_url", "redis://h:6379",
                  "/repo/etc/kolla/config/cinder.conf:3")


def test_a_place_names_host_service_file_option_and_what_set_it():
    assert place_key(KOLLA) == "ctl1: cinder-api/cinder.conf [coordination] backend_url, set by Kolla default"
    assert place_key(OVERRIDE).endswith("set by /repo/etc/kolla/config/cinder.conf:3")
    place = rendered_place(OVERRIDE)
    assert (place.host, place.file, place.option) == ("ctl2", "cinder-volume/cinder.conf", "[coordination] backend_url")


def test_several_records_are_one_where_with_every_place():
    where = where_of([KOLLA, OVERRIDE])
    assert where.file == place_key(KOLLA) and where.more_files == (("cinder-volume", place_key(OVERRIDE)),)
    assert [p.host for p in where.all_places()] == ["ctl1", "ctl2"]
    assert "ctl1" in str(where) and "ctl2" in str(where)
