#!/bin/sh
# Prints an apt sources entry for Debian's contrib and non-free components,
# made from this machine's own Debian entry (deb822 debian.sources, else the
# one-line sources.list), so that nvidia-cuda-dev, libcuda1 and
# nvidia-cuda-toolkit can be installed. No host name is written here: the
# URIs and suites are the machine's.
#
#	third_party/cuda-sources.sh > /etc/apt/sources.list.d/braingo-cuda.sources
#
# Exits 1, saying why, when no Debian entry is found.
set -eu
d822=/etc/apt/sources.list.d/debian.sources
if [ -r "$d822" ] && grep -q '^URIs:' "$d822"; then
	# Each stanza again, with its components replaced; the security
	# suite carries no nvidia packages, so only stanzas without it.
	awk '
		function flush() {
			if (n > 0 && !sec && deb) { if (out) print ""; for (i = 1; i <= n; i++) print buf[i]; out = 1 }
			n = 0; sec = 0; deb = 0
		}
		/^[[:space:]]*$/ { flush(); next }
		/^Suites:/ { if ($0 ~ /-security/) sec = 1 }
		/^Types:/ { if ($0 ~ /(^|[[:space:]])deb([[:space:]]|$)/) deb = 1; buf[++n] = "Types: deb"; next }
		/^Components:/ { buf[++n] = "Components: contrib non-free"; next }
		{ buf[++n] = $0 }
		END { flush(); if (!out) exit 1 }
	' "$d822" && exit 0
fi
if [ -r /etc/apt/sources.list ] && grep -Eq '^deb[[:space:]]' /etc/apt/sources.list; then
	# One-line entries: "deb [opts] URI suite components..." with the
	# components replaced, security suites left out.
	grep -E '^deb[[:space:]]' /etc/apt/sources.list | grep -v -- '-security' |
		sed -E 's/^(deb([[:space:]]+\[[^]]*\])?[[:space:]]+[^[:space:]]+[[:space:]]+[^[:space:]]+).*/\1 contrib non-free/'
	exit 0
fi
echo "cuda-sources: no Debian entry in $d822 or /etc/apt/sources.list to derive a non-free entry from" >&2
exit 1
