"""A corpus of bad input: each must give one clear line saying what and where, or a failed check with a
message — never a traceback, never a pass (tests/kolla/test_config_file.py, test_target.py)."""

GOOD_INVENTORY = "[control]\nctl1\n\n[redis:children]\ncontrol\n"
GOOD_PASSWORDS = "redis_master_password: s3cret\n"
JUNK = b"\x00\xff\xfe\x01junk\x9c"

#: (backend_url, what the failed check says)
BAD_URLS = [
    ("", "empty"),
    ("redis://", "names no host"),
    ("redis://h:port?sentinel=kolla", "cannot be parsed"),
    ("redis://h:99999?sentinel=kolla", "cannot be parsed"),
    ("redis://[::1?sentinel=kolla", "cannot be parsed"),
    ("http://h:26379?sentinel=kolla", "does not start with redis://"),
    ("redis://default:s3cret@h:26379", "no sentinel="),
    ("redis://default:s3cret@h:26379?sentinel=", "no sentinel="),
    ("redis://h:26379?sentinel=kolla&sentinel_fallback=h2", "is not host:port"),
    ("redis://h:26379?sentinel=kolla&db=x", "db='x' is not int"),
    ("redis://h:26379?sentinel=kolla&socket_timeout=fast", "socket_timeout='fast' is not float"),
    ("\x01redis junk", "does not start with redis://"),
]

#: (a service config's content, what the failed check says)
BAD_CONFIG_FILES = [
    ("backend_url = redis://default:s3cret@h:26379?sentinel=kolla\n", "no section headers"),
    ("[coordination\nbackend_url = x\n", "no section headers"),
    ("[coordination]\nbackend_url\n", "is not a valid config file"),
    (JUNK.decode("latin-1"), "is not text"),
    (JUNK, "is not text"),
    ("[coordination]\nbackend_url =\n", "backend_url is empty"),
    ("[DEFAULT]\ndebug = true\n[coordination]\n", "without backend_url"),
]

#: (what, inventory, passwords.yml, globals.yml, the one line; {d}: the folder)
BAD_DEPLOYMENTS = [
    ("passwords missing", GOOD_INVENTORY, None, None, "passwords file {d}/passwords.yml does not exist"),
    ("passwords not YAML", GOOD_INVENTORY, "a: b: c\n", None, "passwords file {d}/passwords.yml line 1 is not valid YAML"),
    ("passwords a list", GOOD_INVENTORY, "- s3cret\n", None, "must hold a YAML mapping, not list"),
    ("passwords empty", GOOD_INVENTORY, "", None, "has no redis_master_password"),
    ("password a list", GOOD_INVENTORY, "redis_master_password: [s3cret]\n", None, "redis_master_password is not a string"),
    ("passwords vaulted", GOOD_INVENTORY, "$ANSIBLE_VAULT;1.1;AES256\n6162\n", None, "ansible-vault encrypted"),
    ("passwords junk", GOOD_INVENTORY, JUNK, None, "passwords file {d}/passwords.yml cannot be read"),
    ("globals not YAML", GOOD_INVENTORY, GOOD_PASSWORDS, "enable_redis: [\n", "globals file {d}/globals.yml"),
    ("globals a list", GOOD_INVENTORY, GOOD_PASSWORDS, "- enable_redis\n", "globals file {d}/globals.yml must hold a YAML mapping"),
    ("globals junk", GOOD_INVENTORY, GOOD_PASSWORDS, JUNK, "globals file {d}/globals.yml cannot be read"),
    ("valkey without its password", GOOD_INVENTORY.replace("redis", "valkey"), GOOD_PASSWORDS,
     "enable_valkey: yes\n", "has no valkey_master_password"),
    ("inventory missing", None, GOOD_PASSWORDS, None, "inventory {d}/multinode does not exist"),
    ("inventory unparsable", "[control\nctl1 a b c=\n", GOOD_PASSWORDS, None, "inventory {d}/multinode cannot be parsed"),
    ("inventory empty", "# no hosts\n", GOOD_PASSWORDS, None, "inventory {d}/multinode defines no hosts"),
    ("inventory without redis group", "[control]\nctl1\n", GOOD_PASSWORDS, None, "has no hosts in group 'redis'"),
    ("inventory junk", JUNK, GOOD_PASSWORDS, None, "inventory {d}/multinode"),
]


def write(path, content):
    """``content`` (text or bytes) at ``path``; None: no file."""
    if content is None:
        return
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
