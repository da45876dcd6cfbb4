#!/bin/sh
# Known vulnerabilities in the installed dependencies (pip-audit against PyPI's advisory data).
# Fails on any known vulnerability. Where the advisory service cannot be reached, pip-audit
# skips every package and would report "No known vulnerabilities found": that is said plainly
# here as "not audited" instead of passing for a clean result.
set -u
out=$(.venv/bin/pip-audit --skip-editable --progress-spinner off 2>&1)
rc=$?
skipped=$(printf '%s\n' "$out" | grep -c "could not be audited")
total=$(.venv/bin/pip list --format=freeze --exclude-editable 2>/dev/null | wc -l)
if [ "$rc" -ne 0 ]; then
    printf '%s\n' "$out"
    echo "audit: known vulnerabilities found (or pip-audit failed, exit $rc)"
    exit 1
fi
if [ "$skipped" -ge "$total" ]; then
    echo "audit: NOT AUDITED - the advisory service did not answer for any of $total packages"
    exit 0
fi
printf '%s\n' "$out" | grep -v "could not be audited"
echo "audit: $((total - skipped)) of $total packages audited, no known vulnerabilities"
