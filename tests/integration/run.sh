#!/bin/bash
# Run every tests/integration/test_*.sh against $XLMIG_TOOL; each test is
# a script that exits 0 on pass. Prints a summary; non-zero if any failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${XLMIG_TOOL:?set XLMIG_TOOL to the built xl-migrate-drbd}"
export XLMIG_TOOL
pass=0 fail=0 failed=""
for t in "$here"/test_*.sh; do
    name=$(basename "$t" .sh)
    # Scripts that never run the C tool gain nothing from a sanitizer pass.
    if [ -n "${XLMIG_SAN:-}" ] && grep -q '^# xlmig-test: no-tool' "$t"; then
        echo "SKIP $name (does not run the tool)"
        continue
    fi
    log=$(mktemp)
    start=$(date +%s)
    if timeout 300 bash "$t" >"$log" 2>&1; then
        pass=$((pass + 1))
        echo "PASS $name ($(( $(date +%s) - start )) s)"
    else
        fail=$((fail + 1))
        failed="$failed $name"
        echo "FAIL $name"
        sed 's/^/    /' "$log" | tail -40
    fi
    rm -f "$log"
done
echo "integration: $pass passed, $fail failed${failed:+:$failed}"
[ "$fail" = 0 ]
