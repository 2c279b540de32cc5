"""How a fix is printed once (`coordcheck.kolla.fixes.merged_fix_lines`): the
container run gives one fix per service container, alike but for the project."""

from coordcheck import kolla
from coordcheck.kolla.config_file import read_service_config
from coordcheck.kolla.fixes import Expected, merged_fix_lines
from coordcheck.secrets import Secret

HOSTS = ("10.0.2.110", "10.0.2.111", "10.0.2.112")
URL = ("redis://default:pw@10.0.2.110:26379?sentinel=kolla&sentinel_fallback=10.0.2.111:26379"
       "&sentinel_fallback=10.0.2.112:26379&db=0&socket_timeout=60&retry_on_timeout=yes")


def config(service: str, project: str):
    return read_service_config("ctl1", f"/etc/kolla/{service}/{project}.conf",
                               f"[coordination]\nbackend_url = {URL}\n", 0o600)


def test_fixes_alike_but_for_the_project_print_once_with_every_project():
    expected = Expected(kolla.FLAVORS["redis"], Secret("pw"), HOSTS, True)
    fixes = [expected.add_sentinel_password([config(s, p)]) for s, p in
             (("designate-worker", "designate"), ("cinder-volume", "cinder"), ("masakari-api", "masakari"),
              ("mistral-api", "mistral"))]
    assert len(set(fixes)) == 4
    lines = merged_fix_lines(fixes)
    assert len(lines) == 5 and sum("once for every service" in line for line in lines) == 1
    assert lines[3].startswith("or per service: config/<project>.conf (config/cinder.conf, config/designate.conf, "
                               "config/masakari.conf, config/mistral.conf) [coordination]")
    assert lines[4] == "then: kolla-ansible -i INVENTORY reconfigure --tags cinder,designate,masakari,mistral"
    assert all(line == line.strip() for line in lines)


def test_other_fixes_keep_their_lines_once_in_order():
    assert merged_fix_lines(["a\n   b", "b\n c", "a"]) == ["a", "b", "c"]
