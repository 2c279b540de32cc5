"""Wiring only. The checklist's options and fixtures are the pytest plugin
``coordcheck.pytest_plugin.plugin``, installed as an entry point (``pip install -e .``, done
by ``make``): pytest must know ``--inventory``/``--configdir`` before it
looks at the command line's paths, which a conftest.py is loaded too late for.
"""
