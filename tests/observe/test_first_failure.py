"""tooz's first failed attempt as its verdict: at tooz's first "will retry"
record, tooz's own ToozConnectionError caused by redis-py's error; the
sentinels' connections made without retries; neither when the client runs
as the service runs it."""

import logging
import subprocess
import sys

import pytest
from tooz import coordination

from coordcheck.observe import first_failure
from coordcheck.observe import tooz as tooz_probe


def record(message: str, *args) -> logging.LogRecord:
    return logging.LogRecord(first_failure.TOOZ_LOGGER, logging.WARNING, __file__, 1, message, args, None)


def test_the_first_retry_record_raises_toozs_own_error():
    cause = ConnectionError("Error 111 connecting to 127.0.0.1:26379. Connection refused.")
    with pytest.raises(coordination.ToozConnectionError, match="^Error 111 connecting to 127.0.0.1:26379"):
        first_failure.FirstFailure().emit(record(first_failure.TOOZ_RETRY + " - %s", cause))


def test_other_records_of_tooz_pass():
    assert first_failure.FirstFailure().emit(record("Connected to %s", "127.0.0.1")) is None


@pytest.mark.parametrize("as_service, sentinel_class, handlers", [(False, "SentinelWithoutRetries", 1),
                                                                    (True, "Sentinel", 0)])
def test_installed_around_main_unless_the_client_runs_as_the_service(as_service, sentinel_class, handlers):
    script = (f"{tooz_probe.FIRST_FAILURE}\n"
              "def main(params):\n"
              "    import logging, redis.sentinel\n"
              "    logger = logging.getLogger(TOOZ_LOGGER)\n"
              "    print(redis.sentinel.Sentinel.__name__, len(logger.handlers), logger.propagate)\n"
              f"first_failure_main({{'as_service': {as_service}}})\n")
    done = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == [sentinel_class, str(handlers), str(as_service)], done.stderr
