"""The checklist's pytest plugin, installed as the ``pytest11`` entry point
``coordcheck`` so that its options are known before pytest reads paths
from the command line. A Ctrl-C from here on ends the run within a second
(`coordcheck.interrupt`): installed before the plugin's modules are imported."""

from coordcheck import interrupt

interrupt.install()

pytest_plugins = ["coordcheck.pytest_plugin.masking", "coordcheck.pytest_plugin.target", "coordcheck.pytest_plugin.fleet",
                  "coordcheck.pytest_plugin.checklist", "coordcheck.pytest_plugin.report", "coordcheck.pytest_plugin.outputs",
                  "coordcheck.pytest_plugin.gate", "coordcheck.pytest_plugin.interrupted"]
