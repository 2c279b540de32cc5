"""The checklist's test ids on a lab made by `coordcheck up`: its runbook
modules, its hosts, and the checks the incident (`coordcheck repro`) fails."""

RUNBOOK_MODULES = {"test_network", "test_sentinel", "test_auth", "test_master", "test_python_client",
                   "test_container_config"}
HOSTS = ("ctl1", "ctl2", "ctl3")
SENTINEL_AUTH_CHECKS = {
    f"{module}::{test}[ansible://{host}]"
    for host in HOSTS
    for module, test in (("test_python_client", "test_redis_py_discovers_master_with_service_url"),
                         ("test_python_client", "test_tooz_takes_a_lock_with_service_url"),
                         ("test_container_config", "test_backend_url_carries_sentinel_password"))
} | {"test_python_client::test_redis_py_discovers_master_from_runner",
     "test_python_client::test_tooz_takes_a_lock_from_runner"}
