#!/bin/sh
# Stands in for xl-migrate-drbd in the integration tests: the same tool
# under valgrind's memcheck, one log per process in $XLMIG_VG_LOGS. The
# receivers the tests start run through it too, so both sides are
# checked.
exec valgrind --quiet --error-exitcode=97 --leak-check=full \
    --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible \
    --log-file="$XLMIG_VG_LOGS/vg.%p.log" "$XLMIG_VG_REAL" "$@"
