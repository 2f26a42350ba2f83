#!/usr/bin/perl
# Copy stdin to stdout unbuffered: the first FAST bytes at once, then
# CHUNK bytes every MS milliseconds -- a link that is slow but never
# silent for long.
use strict;
use Time::HiRes qw(usleep);
my ($fast, $chunk, $ms) = @ARGV;
my ($n, $buf) = (0, '');
while (1) {
    my $want = $n < $fast ? $fast - $n : $chunk;
    $want = 65536 if $want > 65536;
    my $r = sysread(STDIN, $buf, $want);
    last unless $r;
    syswrite(STDOUT, $buf) or exit 1;
    $n += $r;
    usleep($ms * 1000) if $n >= $fast;
}
