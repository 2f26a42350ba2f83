#!/bin/sh
# Build the Debian packages (xlmig, xlmig-xl-shim) into build/deb/ and
# run lintian on them. Run by `make deb` (`make deb TEST=1`: --test).
#
# dpkg-buildpackage builds in a copy of the tree (build/deb/src*/) so
# that its clean step never touches the developer's builds, and writes
# the packages beside that copy, i.e. into build/deb/, not into the
# tree's parent. --test packages the test build (XLMIG_TEST_HOOKS),
# versioned <version>+test so that it is never mistaken for the real
# one.
set -eu
cd "$(dirname "$0")/.."
test=
[ "${1:-}" = --test ] && test=1
out=build/deb
src=$out/src${test:+-test}/xlmig
rm -rf "$out/src${test:+-test}"
mkdir -p "$src"
tar -cf - --exclude=./build --exclude=./.git . | tar -xf - -C "$src"
if [ -n "$test" ]; then
    sed -i '1s/^\(xlmig (\)\([^)]*\))/\1\2+test)/' "$src/debian/changelog"
fi
ver=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-parallel=2}"
log=$out/build${test:+-test}.log
(cd "$src" && XLMIG_TEST_BUILD=$test dpkg-buildpackage -us -uc -b) \
    > "$log" 2>&1 || {
    tail -n 30 "$log" >&2
    echo "xlmig: dpkg-buildpackage failed (see $log)" >&2
    exit 1
}
changes=$out/src${test:+-test}/xlmig_${ver}_${arch}.changes
for f in $(sed -n '/^Files:/,$ s/^ [0-9a-f]\{32\} [0-9]* [^ ]* [^ ]* //p' \
        "$changes") "$changes"; do
    mv -f "$out/src${test:+-test}/${f##*/}" "$out/"
done
echo "== lintian"
lintian --info --display-info --pedantic --show-overrides \
    "$out/xlmig_${ver}_${arch}.changes"
echo "lintian: done"
for f in "$out"/*_"$ver"_*.deb; do echo "built $f"; done
