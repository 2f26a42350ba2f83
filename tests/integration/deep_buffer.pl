#!/usr/bin/perl
# deep_buffer.pl RATE: copy stdin to stdout, taking in at once all that
# stdin has (held in memory, without bound) and passing it on at RATE
# bytes a second: a link with a deep buffer in front of a slow reader.
use strict;
use Fcntl;
use IO::Select;
use Time::HiRes qw(time);
my $rate = shift or die "usage: deep_buffer.pl RATE\n";
my ($buf, $eof, $tokens, $last) = ('', 0, 0, time);
my $cap = 65536;
binmode STDIN;
binmode STDOUT;
fcntl(STDIN, F_SETFL, fcntl(STDIN, F_GETFL, 0) | O_NONBLOCK) or die;
my $in = IO::Select->new(\*STDIN);
while (!$eof || length $buf) {
    # Wait for input only while there is nothing to pass on.
    my $wait = length $buf ? 0.005 : 0.1;
    if (!$eof && $in->can_read($wait)) {
        while (1) {
            my $r = sysread(STDIN, my $chunk, 1 << 20);
            if (!defined $r) { last if $!{EAGAIN}; die "read: $!\n"; }
            if ($r == 0) { $eof = 1; last; }
            $buf .= $chunk;
        }
    } elsif ($eof) {
        select(undef, undef, undef, $wait);
    }
    my $now = time;
    $tokens += ($now - $last) * $rate;
    $tokens = $cap if $tokens > $cap;
    $last = $now;
    my $n = length $buf < $tokens ? length $buf : int $tokens;
    next unless $n > 0;
    my $w = syswrite(STDOUT, $buf, $n);
    exit 1 unless defined $w;
    substr($buf, 0, $w, '');
    $tokens -= $w;
}
