"""The runbook's steps: for each host, observe (`coordcheck.observe`) then check
(`coordcheck.checks`), each thing once per run."""
