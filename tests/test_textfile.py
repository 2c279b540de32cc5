"""coordcheck.textfile: files that readers poll written masked and whole, in one rename, and sample values
as Prometheus reads them."""

import math
import os

import pytest

from coordcheck.secrets import Secret
from coordcheck.textfile import sample_value, write_atomically


def test_a_file_is_replaced_whole_and_masked(tmp_path):
    path = tmp_path / "coordcheck.prom"
    path.write_text("old\n")
    Secret("t3xtfile-Pw")
    write_atomically(path, "coordcheck_up 1\n# evidence: NOAUTH for t3xtfile-Pw\n")
    assert path.read_text() == "coordcheck_up 1\n# evidence: NOAUTH for ***\n"
    assert oct(path.stat().st_mode & 0o777) == "0o644" and sorted(os.listdir(tmp_path)) == ["coordcheck.prom"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "coordcheck.prom"
    path.write_text("old\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomically(path, "bad \udcff surrogate\n")
    assert path.read_text() == "old\n" and sorted(os.listdir(tmp_path)) == ["coordcheck.prom"]
    with pytest.raises(FileNotFoundError):
        write_atomically(tmp_path / "absent" / "x.prom", "x\n")


@pytest.mark.parametrize("value, text", [(3.0, "3"), (-2.0, "-2"), (0.1, "0.1"), (1796164712.345, "1796164712.345"),
                                         (float("inf"), "+Inf"), (float("-inf"), "-Inf"), (float("nan"), "NaN"),
                                         (2.0 ** 60, "1.152921504606847e+18")])
def test_a_sample_value_reads_back_as_the_same_float(value, text):
    assert sample_value(value) == text
    assert math.isnan(float(text.replace("NaN", "nan"))) if value != value else float(text.replace("Inf", "inf")) == value
