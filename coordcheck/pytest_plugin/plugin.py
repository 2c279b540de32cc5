"""The checklist's pytest plugin, installed as the ``pytest11`` entry point
``coordcheck`` so that its options are known before pytest reads paths
from the command line."""

pytest_plugins = ["coordcheck.pytest_plugin.masking", "coordcheck.pytest_plugin.target", "coordcheck.pytest_plugin.fleet",
                  "coordcheck.pytest_plugin.checklist", "coordcheck.pytest_plugin.report", "coordcheck.pytest_plugin.outputs",
                  "coordcheck.pytest_plugin.gate"]
