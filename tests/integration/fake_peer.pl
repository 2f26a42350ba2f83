#!/usr/bin/perl
# fake_peer.pl [--no-drain] FILE...: play one side of an xlmig stream:
# the magic, then each FILE's contents as one CONTROL record; then read
# stdin to its end (unless --no-drain), so the other side is not cut
# off before it has read what was sent. Used to send hostile messages.
use strict;
binmode STDOUT;
$| = 1;
my $drain = 1;
if (@ARGV && $ARGV[0] eq '--no-drain') { $drain = 0; shift @ARGV; }
print "xlmig\x00\x01\n";
for my $f (@ARGV) {
    open my $fh, '<', $f or die "fake_peer: $f: $!\n";
    binmode $fh;
    local $/;
    my $j = <$fh>;
    my $l = length $j;
    print pack('VV', 1, $l), $j, "\0" x ((8 - $l % 8) % 8);
}
if ($drain) { my $b; while (sysread(STDIN, $b, 65536)) {} }
