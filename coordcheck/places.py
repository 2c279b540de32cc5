"""Where a finding is: each place as data (host, service, file, option and
what set it), and how places print, grouped by host.

    >>> print(Where(host="ctl1", service="cinder-volume", file="/etc/kolla/cinder-volume/cinder.conf"))
    host ctl1, service cinder-volume, file /etc/kolla/cinder-volume/cinder.conf
    >>> print(*place_lines([Place("ctl1", "mistral-api", "/etc/kolla/ctl1/mistral.conf"),
    ...                     Place("ctl2", "mistral-api", "/etc/kolla/ctl2/mistral.conf")]))
    hosts ctl1, ctl2 (alike; <host> in a path is each host's name): mistral-api /etc/kolla/<host>/mistral.conf
"""

from __future__ import annotations

from dataclasses import dataclass

HOST_MARK = "<host>"


@dataclass(frozen=True)
class Place:
    """One place a finding is at, as data: the host, the service and its
    config file (inside ``container`` when set), the option and what set it
    (the gate: ``config/designate.conf:3`` or ``Kolla default (...)``)."""

    host: str | None = None
    service: str | None = None
    file: str | None = None
    container: str | None = None
    address: str | None = None
    option: str | None = None
    source: str | None = None

    def detail(self) -> str:
        """Everything but host and service: ``cinder-api/cinder.conf [coordination] backend_url, set by ...``."""
        option = self.option and self.option + (f", set by {self.source}" if self.source else "")
        file = self.file and (self.file if self.service else f"file {self.file}")
        return " ".join(filter(None, [file, option, self.container and f"(inside {self.container})",
                                      self.address and f"address {self.address}"]))

    def text(self, host_mark: bool = False) -> str:
        """``cinder-volume      /etc/kolla/cinder-volume/cinder.conf`` (the host's own
        name in paths written ``<host>`` when ``host_mark``)."""
        line = f"{self.service:18} {self.detail()}" if self.service else self.detail()
        return line.replace(f"/{self.host}/", f"/{HOST_MARK}/") if host_mark and self.host else line

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("host", "service", "file", "container", "address", "option", "source")}


def place_lines(places: list[Place]) -> list[str]:
    """Places grouped by host; hosts whose places are alike (the host's own
    name in paths aside) share one group: ``hosts ctl1, ctl2, ctl3`` then one
    line per service, each under the host it is on."""
    by_host: dict[str | None, list[Place]] = {}
    for place in places:
        by_host.setdefault(place.host, []).append(place)
    alike: dict[tuple[str, ...], list[str | None]] = {}
    for host, found in by_host.items():
        alike.setdefault(tuple(p.text(host_mark=True) for p in found), []).append(host)
    lines: list[str] = []
    for texts, hosts in alike.items():
        named = [h for h in hosts if h]
        if not named:
            lines += [t.strip() for t in texts]
            continue
        head = f"host {named[0]}" if len(named) == 1 else f"hosts {', '.join(named)}"
        if len(named) > 1 and any(f"/{HOST_MARK}/" in t for t in texts):
            head += f" (alike; {HOST_MARK} in a path is each host's name)"
        if len(named) == 1:
            texts = tuple(p.text() for p in by_host[named[0]])
        if len(texts) == 1:
            lines.append(f"{head}: {' '.join(texts[0].split())}" if texts[0] else head)
        else:
            lines += [head] + [f"  {t}" for t in texts]
    return lines


@dataclass(frozen=True)
class Where:
    """Where a finding is: host, service config file(s), server address;
    ``places`` lists every place as data when they span hosts or options."""

    host: str | None = None
    service: str | None = None
    file: str | None = None
    address: str | None = None
    more_files: tuple[tuple[str, str], ...] = ()   # further (service, file) pairs
    container: str | None = None                    # file is then inside it
    places: tuple[Place, ...] = ()                  # every place (the first included), when given

    def all_places(self) -> tuple[Place, ...]:
        if self.places:
            return self.places
        files = [(self.service, self.file)] if (self.file or self.service) else []
        files += list(self.more_files)
        if not files:
            return (Place(host=self.host, container=self.container, address=self.address),)
        return tuple(Place(self.host, service, path, self.container if i == 0 else None, self.address)
                     for i, (service, path) in enumerate(files))

    def __str__(self) -> str:
        if self.places and len({p.host for p in self.places}) > 1:
            return "\n            ".join(place_lines(list(self.places)))
        head = [f"{k} {getattr(self, k)}" for k in ("host", "container", "address") if getattr(self, k)]
        if self.places:
            files = [(p.service, p.detail()) for p in self.places]
        else:
            files = ([(self.service, self.file)] if self.file else []) + list(self.more_files)
        if len(files) == 1:
            service, path = files[0]
            head.append(f"service {service}, file {path}" if service else f"file {path}")
        lines = [", ".join(head) or "deployment"]
        if len(files) > 1:
            lines += [f"{service or '':18} {path}" for service, path in files]
        return "\n            ".join(lines)

    def one_line(self) -> str:
        return " ".join(str(self).split())
