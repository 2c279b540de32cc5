"""The checklist's pytest plugin (entry point ``coordcheck``): options and the
target, the fixtures the checklist shares, masking at the output boundary, the
report."""
