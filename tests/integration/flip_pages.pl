#!/usr/bin/perl
# Copy an xlmig stream (source -> destination) from stdin to stdout as
# it comes, but overwrite 8 bytes inside the last page of every PAGES
# record (type 2): the framing stays valid, the memory does not, so the
# receiver's verification at memory-end must fail. The last record's
# page is never sent again, whatever the rounds re-sent.
use strict;
binmode STDIN;
binmode STDOUT;
my $buf = '';     # bytes read, not yet written
my $pos = 0;      # stream offset of $buf's first byte
my $next = 8;     # offset of the next record header (after the magic)
my $target = -1;  # offset of the bytes to overwrite, -1: none pending
while (sysread(STDIN, my $in, 65536)) {
    $buf .= $in;
    my $end = $pos + length $buf;
    for (;;) {
        if ($target >= 0) {
            last if $target + 8 > $end;
            substr($buf, $target - $pos, 8) = "\xde\xad\xbe\xef" x 2;
            $target = -1;
        }
        last if $next + 8 > $end;
        my ($t, $l) = unpack "VV", substr($buf, $next - $pos, 8);
        $target = $next + 8 + $l - 100 if $t == 2 && $l > 100;
        $next += 8 + (($l + 7) & ~7);
    }
    # Hold back only what may still change: a pending target, a header.
    my $hold = $target >= 0 ? $target : $next;
    my $n = $hold - $pos;
    $n = length $buf if $n > length $buf;
    $n = 0 if $n < 0;
    if ($n > 0) {
        my $w = substr($buf, 0, $n, '');
        while (length $w) {
            my $r = syswrite(STDOUT, $w) or exit 1;
            substr($w, 0, $r, '');
        }
        $pos += $n;
    }
}
print STDOUT $buf;
