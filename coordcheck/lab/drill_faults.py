"""Faults of a cloud mid-upgrade and of a URL that no failover can move:
what the lock-exclusion probe and the failover drill find
(`coordcheck break LOCKS_NOT_EXCLUSIVE`, `URL_BYPASSES_SENTINEL`)."""

from __future__ import annotations

import redis

from coordcheck import kolla
from coordcheck import url as urls
from coordcheck.lab import images
from coordcheck.lab.faults import backends, config_path, edit_urls


def locks_not_exclusive(d):
    """masakari_api (ctl3) upgraded ahead of the other hosts: on the other side
    of tooz 9.0's lock key rename from the lab's images (2026.2 after 2026.1)."""
    lab_image = d.image_of("ctl1", d.state())
    tooz = (images.clients(lab_image) or ("0",))[0]
    series = "2026.1" if int(tooz.split(".")[0]) >= 9 else "2026.2"
    image = images.release_image(series)
    d._images_ready(d.state()["engine"], (image,), (series,))
    d.run_container("ctl3", "masakari-api", image)
    d._save({**d.state(), "host_images": {**d.state().get("host_images", {}), "ctl3": image}})


def url_bypasses_sentinel(d, host: str = "ctl1", service: str = "cinder-volume"):
    """``service`` on ``host`` names the master data node directly (the one the sentinels announce
    now): no sentinels, no sentinel=."""
    password = d.password().reveal() if d.state()["sentinel_auth"] else None
    sentinel = redis.Redis(d.address(backends(d)[0]), kolla.SENTINEL_PORT, password=password, socket_timeout=5,
                           retry=None)
    try:
        ip, port = sentinel.sentinel_get_master_addr_by_name(kolla.MASTER_NAME)
    finally:
        sentinel.close()
    master = f"{ip.decode() if isinstance(ip, bytes) else ip}:{port}"

    def direct(url: str) -> str:
        for name in ("sentinel", "sentinel_fallback", "sentinel_password"):
            url = urls.without_option(url, name)
        head, _, rest = url.partition("@")
        return f"{head}@{master}" + rest[rest.index("?"):] if "?" in rest else f"{head}@{master}"

    edit_urls(d, direct, [config_path(d, host, service)])
    if d.state().get("engine"):
        d.container("restart", service)     # the container copies its config in at start
