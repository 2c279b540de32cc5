"""A service's log lines where Kolla writes them: FILES_SCRIPT run on real
files (the clock, then the tail of each of the service's files), each line
dated in the container's zone, a traceback at the time of its first line;
the ``--logs-since`` window."""

import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from coordcheck.observe import service_logs


def files_script(folder, project: str, service: str) -> str:
    return subprocess.run(["sh", "-c", service_logs.FILES_SCRIPT, "sh", str(folder), project, service],
                          capture_output=True, text=True, timeout=30, check=True).stdout


def test_the_services_own_files_are_read_with_the_clock(tmp_path):
    logs = tmp_path / "cinder"
    logs.mkdir()
    (logs / "cinder-volume.log").write_text("2026-11-26 10:00:00.250 7 ERROR cinder.coordination [-] boom\n"
                                            "Traceback (most recent call last):\n  File \"x.py\"\n")
    (logs / "cinder-api.log").write_text("2026-11-26 10:00:01.000 8 INFO cinder.api [-] another service\n")
    output = files_script(tmp_path, "cinder", "cinder-volume")
    now = service_logs.container_now(output)
    assert abs(now - datetime.now(timezone.utc)) < timedelta(minutes=1)
    lines = service_logs.from_files(output)
    assert [line.text for line in lines] == ["2026-11-26 10:00:00.250 7 ERROR cinder.coordination [-] boom",
                                             "Traceback (most recent call last):", '  File "x.py"']
    assert {line.source for line in lines} == {str(logs / "cinder-volume.log")}
    assert {line.when for line in lines} == {datetime(2026, 11, 26, 10, 0, 0, 250000, tzinfo=now.tzinfo)}


def test_without_the_services_files_every_file_of_the_project_is_read(tmp_path):
    (tmp_path / "designate").mkdir()
    (tmp_path / "designate" / "designate.log").write_text("2026-11-26 10:00:00 1 WARNING designate [-] w\n")
    assert [line.source for line in service_logs.from_files(files_script(tmp_path, "designate", "designate-worker"))] \
        == [str(tmp_path / "designate" / "designate.log")]


def test_no_log_folder_is_the_clock_alone(tmp_path):
    output = files_script(tmp_path, "masakari", "masakari-api")
    assert output.startswith(service_logs.NOW) and service_logs.from_files(output) == []


def test_a_file_is_read_from_its_end(tmp_path):
    (tmp_path / "mistral").mkdir()
    (tmp_path / "mistral" / "mistral-api.log").write_bytes(b"x" * (service_logs.TAIL_BYTES + 4096))
    output = files_script(tmp_path, "mistral", "mistral-api")
    assert service_logs.TAIL_BYTES <= len(output) < service_logs.TAIL_BYTES + 200


@pytest.mark.parametrize("since, start", [
    ("1h30m", datetime(2026, 11, 26, 10, 30, tzinfo=timezone.utc)),
    ("90s", datetime(2026, 11, 26, 11, 58, 30, tzinfo=timezone.utc)),
    ("2026-11-26T09:00:00", datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)),
    ("2026-11-26T09:00:00+0100", datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)),
])
def test_the_window_starts_a_duration_back_or_at_a_time(since, start):
    assert service_logs.cutoff(since, datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)) == start


def test_a_window_that_is_neither_is_refused():
    with pytest.raises(ValueError):
        service_logs.cutoff("yesterday", datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc))
