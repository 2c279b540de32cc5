"""Which passwords `coordcheck up` can deploy, and reading one from a file.

    password_problem("a/b")   # -> why not, in words that never quote it
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import yaml

from coordcheck import kolla
from coordcheck.lab.errors import DeploymentError
from coordcheck.lab.kolla_files import service_config_text
from coordcheck.lab.templates import HOSTS, MASTER_HOST
from coordcheck.secrets import Secret
from coordcheck.url import URLError, with_sentinel_password
from coordcheck.url import parse as parse_url

#: the longest password `up` takes (Kolla generates 40 characters)
PASSWORD_MAX = 4096
#: how much of a password file is read: its first line is the password
PASSWORD_FILE_MAX = 64 * 1024


def password_problem(password: str, flavor: kolla.Flavor | None = None) -> str | None:
    """Why the deployment cannot use ``password`` (None when it can), in
    words that never quote it.

    The password goes where Kolla puts it: as written in backend_url's
    ``user:password`` part (tooz does not percent-decode it), percent-encoded
    in ``sentinel_password`` (tooz decodes query values: ``+`` would be a
    space), into passwords.yml and, unquoted, into the servers' configs
    (Sentinel rewrites ``auth-pass`` unquoted anyway). Characters that cannot
    survive these are refused; everything else is written and read back the
    way tooz and the checklist read it.

    >>> password_problem("p@ss:w%rd+&=;ü"), password_problem("a/b")[:30]
    (None, "the password holds '/', '?' or")
    """
    if not password:
        return "the password is empty (leave the password out for a random one)"
    if len(password) > PASSWORD_MAX:
        return f"the password is longer than {PASSWORD_MAX} characters"
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        return "the password is not valid UTF-8 text"
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in password):
        return "the password holds a control character or a line break, which no line of a config file can carry"
    if any(c in "/?#" for c in password):
        return ("the password holds '/', '?' or '#': in backend_url's user:password part they end the address, "
                "and tooz does not percent-decode that part, so no spelling of the password reaches the servers")
    if any(c in "[]" for c in password):
        return ("the password holds '[' or ']': in backend_url's user:password part the URL parser tooz uses "
                "takes them for an IPv6 address and rejects the URL")
    folded = unicodedata.normalize("NFKC", "".join(c for c in password if c not in "@:"))
    if folded != password and any(c in folded for c in "/?#@:[]"):
        return ("the password holds a character that Unicode NFKC turns into one of / ? # @ : [ ], which "
                "the URL parser tooz uses rejects in backend_url's user:password part")
    if any(c in " \"'" for c in password):
        return ("the password holds a space or a quote: Redis Sentinel writes `sentinel auth-pass` back into its "
                "config unquoted (CONFIG REWRITE), and a sentinel could then not start again")
    return _round_trip_problem(password, flavor or kolla.FLAVORS["redis"])


def _round_trip_problem(password: str, flavor: kolla.Flavor) -> str | None:
    """Write ``password`` as `LocalDeployment.write` does (passwords.yml; the
    incident's and the fixed backend_url in a service config) and read it
    back as the checklist and tooz do; what differs, or None."""
    secret = Secret(password)
    key = flavor.password_key
    if yaml.safe_load(yaml.safe_dump({key: password})) != {key: password}:
        return "passwords.yml cannot hold the password (YAML does not read it back the same)"
    incident = kolla.connection_string(flavor, list(HOSTS.values()), secret).reveal()
    fixed = with_sentinel_password(incident, secret)  # what LocalDeployment.fixed_url writes
    for text, sentinel_password in ((incident, None), (fixed, password)):
        try:
            written = kolla.backend_url_of(service_config_text(Secret(text, by_value=False)), "service config")
            url = parse_url(written or "")
        except (kolla.KollaError, URLError):
            return "backend_url written with the password is not a URL tooz can parse"
        read_back = url.sentinel_password.reveal() if url.sentinel_password else None
        if ((url.password.reveal() if url.password else None) != password or read_back != sentinel_password
                or (url.host, url.port) != (HOSTS[MASTER_HOST], kolla.SENTINEL_PORT)):
            return "tooz would read another password or address from backend_url written with the password"
    return None


def read_password_file(path: str | Path) -> str:
    """The password in a file: its first line without surrounding whitespace
    (as Ansible reads a vault password file), at most `PASSWORD_FILE_MAX`
    bytes read; `DeploymentError` (one line) when missing, empty or binary."""
    what = f"password file {path}"
    try:
        with open(path, "rb") as handle:
            data = handle.read(PASSWORD_FILE_MAX + 1)
    except FileNotFoundError:
        raise DeploymentError(f"{what} does not exist") from None
    except IsADirectoryError:
        raise DeploymentError(f"{what} is a folder, not a file") from None
    except OSError as exc:
        raise DeploymentError(f"{what} cannot be read: {exc.strerror or exc.__class__.__name__}") from None
    first, newline, _ = data.partition(b"\n")
    if b"\0" in first:
        raise DeploymentError(f"{what} is binary (it holds NUL bytes), not a password")
    if not newline and len(data) > PASSWORD_FILE_MAX:
        raise DeploymentError(f"{what}: its first line is longer than {PASSWORD_FILE_MAX // 1024} KiB")
    try:
        text = first.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise DeploymentError(f"{what} is not UTF-8 text") from None
    if not text:
        raise DeploymentError(f"{what} is empty (the password is its first line)")
    return text
