"""Hand-made observations for the pure checks' tests: a healthy tooz URL, the sentinels and what the
deployment should render (Expected), a service config holding a URL."""

from coordcheck import kolla
from coordcheck import url as urls
from coordcheck.kolla.config_file import ServiceConfig
from coordcheck.kolla.fixes import Expected
from coordcheck.observe.probe import Address
from coordcheck.secrets import Secret

PW = Secret("s3cret")
URL = ("redis://default:s3cret@10.0.2.110:26379?sentinel=kolla&sentinel_fallback=10.0.2.111:26379"
       "&sentinel_fallback=10.0.2.112:26379&db=0&sentinel_password=s3cret")
SENTINELS = [Address(f"10.0.2.11{i}", 26379) for i in range(3)]
EXPECTED = Expected(kolla.FLAVORS["redis"], PW, ("10.0.2.110", "10.0.2.111", "10.0.2.112"), True)
NO_SENTINEL_AUTH = Expected(kolla.FLAVORS["redis"], PW, EXPECTED.sentinel_hosts, False)


def config(url=URL, host="ctl1", service="cinder-volume", mode=0o600):
    project = service.split("-")[0]
    return ServiceConfig(host, service, project, f"/etc/kolla/{service}/{project}.conf", mode, urls.parse(url))


def ids(findings):
    return [f.id for f in findings]
