#!/bin/sh
# Install the Debian packages named on the command line if any is missing.
# As root this runs apt-get; otherwise it says what to install and fails.
set -eu
missing=""
for p in "$@"; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
            grep -q '^install ok installed$'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "xlmig: missing Debian packages:$missing (run as root, or" \
         "apt-get install$missing)" >&2
    exit 1
fi
echo "xlmig: installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! apt-get install -y -q --no-install-recommends $missing >/dev/null; then
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
