#!/usr/bin/perl
# Copy stdin to stdout unbuffered; after OFFSET bytes splice in GARBAGE.
# Used to corrupt a migration stream in flight.
use strict;
my ($offset, $garbage) = @ARGV;
my ($n, $buf, $done) = (0, '', 0);
while (my $r = sysread(STDIN, $buf, 65536)) {
    if (!$done && $n + $r >= $offset) {
        my $k = $offset - $n;
        syswrite(STDOUT, substr($buf, 0, $k)) if $k > 0;
        syswrite(STDOUT, $garbage);
        syswrite(STDOUT, substr($buf, $k));
        $done = 1;
    } else {
        syswrite(STDOUT, $buf) or exit 1;
    }
    $n += $r;
}
