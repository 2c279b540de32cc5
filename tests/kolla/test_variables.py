"""coordcheck.kolla.variables: Kolla's YAML files read as Ansible reads them (vault, !unsafe), a bound on
what YAML aliases may expand to, and one clear line for whatever is wrong."""

import pytest

from coordcheck import kolla
from coordcheck.kolla import variables
from coordcheck.kolla.variables import MAX_EXPANDED_NODES, Unsafe, check_expansion, load_mapping
from coordcheck.secrets import KNOWN
from tests.kolla.hostile import bounded, one_line, render


def laughs(levels: int = 10) -> str:
    """A YAML 'billion laughs': 9 ** levels values from a few hundred bytes."""
    lines = ['lol0: &lol0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\nredis_master_password: s3cret\n"


@pytest.mark.parametrize("text, says", [
    (None, "does not exist"),
    ("ok: 1\na: b: c\n", "line 2 is not valid YAML"),
    ("- a\n- b\n", "must hold a YAML mapping, not list"),
    (b"\xff\xfe\x00junk", "cannot be read"),
    ("$ANSIBLE_VAULT;1.1;AES256\n3132\n", "is ansible-vault encrypted: give --vault-password-file"),
])
def test_bad_yaml(tmp_path, text, says):
    path = tmp_path / "passwords.yml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    elif text is not None:
        path.write_text(text)
    with pytest.raises(kolla.KollaError, match=says):
        variables.load_mapping(path, "passwords file")


@pytest.mark.parametrize("relative", ["passwords.yml", "globals.yml", "globals.d/bomb.yml"])
def test_a_yaml_alias_bomb_is_refused_in_time_and_memory(hostile_repo, relative):
    path = hostile_repo / "etc/kolla" / relative
    path.parent.mkdir(exist_ok=True)
    path.write_text(laughs() if relative != "globals.yml" else path.read_text() + laughs().replace(
        "redis_master_password: s3cret\n", ""))
    one_line(bounded(lambda: render(hostile_repo)), str(path), "aliases expand to more than")


def test_yaml_aliases_within_the_bound_are_read(hostile_repo):
    globals_yml = hostile_repo / "etc/kolla/globals.yml"
    globals_yml.write_text(globals_yml.read_text() + "shared: &shared [a, b]\nagain: *shared\nmerged: {<<: {k: 1}}\n")
    assert render(hostile_repo).repo.extra["again"] == ["a", "b"]


def test_the_expansion_is_counted_before_the_file_is_loaded():
    check_expansion(laughs(4), "globals file", "g.yml")  # 9 ** 4 values: within the bound
    assert 9 ** 6 > MAX_EXPANDED_NODES
    with pytest.raises(kolla.KollaError, match=r"globals file g.yml: its YAML aliases expand to more than"):
        check_expansion(laughs(6), "globals file", "g.yml")
    check_expansion("a: *undefined [", "globals file", "g.yml")  # not YAML: the loader says what is wrong


def test_unsafe_values_stay_untemplated_and_an_empty_file_is_empty(tmp_path):
    path = tmp_path / "globals.yml"
    path.write_text("note: !unsafe '{{ not_templated }}'\nlater: '{{ templated }}'\nport: 6379\n")
    data = load_mapping(path, "globals file")
    assert isinstance(data["note"], Unsafe) and not isinstance(data["later"], Unsafe)
    assert data == {"note": "{{ not_templated }}", "later": "{{ templated }}", "port": 6379}
    path.write_text("# nothing set\n")
    assert load_mapping(path, "globals file") == {}


def test_every_value_of_a_passwords_file_is_masked_from_then_on(tmp_path):
    path = tmp_path / "passwords.yml"
    path.write_text("redis_master_password: rEd1s-Pw\nkeystone_admin_password: k3ystone-Pw\n")
    assert load_mapping(path, "passwords file", secret=True)["redis_master_password"] == "rEd1s-Pw"
    assert KNOWN.mask("rEd1s-Pw and k3ystone-Pw") == "*** and ***"
