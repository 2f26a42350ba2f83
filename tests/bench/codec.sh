#!/bin/sh
# bench-codec: a simulated migration with and without the record codec
# (--compress off | auto), on a rate-limited link and on an unlimited
# one, measured in the same run: bytes on the wire, time, downtime, and
# what auto decided. Usage: codec.sh TOOL JSON-OUT
# CODEC_MIB (guest memory, default 512), CODEC_ZERO_MIB (of it zero
# pages, default 256), CODEC_BW (the limited link, MiB/s, default 100).
set -eu
T=$1
OUT=$2
MIB=${CODEC_MIB:-512}
ZERO=${CODEC_ZERO_MIB:-256}
BW=${CODEC_BW:-100}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export XLMIG_CONF=$TMP/xlmig.conf     # this host's config stays out
: >"$XLMIG_CONF"
printf '%-9s %-5s %9s %8s %9s %10s %7s  %s\n' link codec "sent MiB" \
    "total s" "downtm ms" "zero pages" "lz4 rec" "auto's reason"
: >"$TMP/all"
for link in "$BW" 0; do
    for mode in off auto; do
        bw=""
        [ "$link" = 0 ] || bw="--bandwidth $link"
        # shellcheck disable=SC2086
        "$T" --sim --json --sim-mem "$MIB" --sim-zero "$ZERO" \
            --sim-profile idle $bw --compress "$mode" -s "" g1 \
            "$T --receive --sim" >"$TMP/out" 2>"$TMP/err" ||
            { cat "$TMP/err" >&2; exit 1; }
        tail -1 "$TMP/out" | jq -c --arg link "$link" '{link_mib_s:
            ($link | tonumber), compress: .codec.compress, outcome,
            verified: .verified.memory.result, total_s, downtime_ms,
            bytes_sent, raw_bytes: .codec.raw_bytes,
            zero_pages: .codec.zero_pages,
            compressed_records: .codec.compressed_records,
            why: .codec.why}' >>"$TMP/all"
        tail -1 "$TMP/all" | jq -r '[(if .link_mib_s == 0 then "unlimited"
            else "\(.link_mib_s) MiB/s" end), .compress,
            (.bytes_sent / 1048576 | . * 10 | round / 10),
            (.total_s * 100 | round / 100), (.downtime_ms | round),
            .zero_pages, .compressed_records, .why] | @tsv' |
            awk -F'\t' '{ printf "%-9s %-5s %9s %8s %9s %10s %7s  %s\n",
                $1, $2, $3, $4, $5, $6, $7, $8 }'
    done
done
jq -s . "$TMP/all" >"$OUT"
echo "json: $OUT"
