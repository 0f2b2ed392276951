#!/bin/sh
# Builds gen-relay.c against the Debian c-toxcore 0.2.18 static library and writes the relay
# known-answer suites (relay-*.json) into test/vectors/. Needs: cc, libtoxcore-dev 0.2.18,
# libsodium-dev.
#
#   test/vectors/generator/generate-relay.sh
#   BUILD_DIR=/tmp/gen test/vectors/generator/generate-relay.sh   # build in (and keep) that folder
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$here/.." && pwd)
libdir=${TOXCORE_LIBDIR:-/usr/lib/x86_64-linux-gnu}
toxcore_a="$libdir/libtoxcore.a"
CC=${CC:-cc}

[ -f "$toxcore_a" ] || { echo "generate-relay.sh: $toxcore_a not found (install libtoxcore-dev 0.2.18)" >&2; exit 1; }
[ -f /usr/include/tox/tox.h ] || { echo "generate-relay.sh: tox/tox.h not found (install libtoxcore-dev)" >&2; exit 1; }

# gen-relay.c declares IP_Port itself; check that the library agrees on its size.
if command -v nm >/dev/null 2>&1; then
    ipp=$(nm -S "$toxcore_a" 2>/dev/null | awk '$4 == "empty_ip_port" && $3 ~ /^[RrDd]$/ { print $2; exit }')
    if [ "$ipp" != "0000000000000020" ]; then
        echo "generate-relay.sh: libtoxcore.a has sizeof(IP_Port)=0x$ipp; gen-relay.c expects 0x20" >&2
        exit 1
    fi
fi

sodium_cflags=$(pkg-config --cflags libsodium 2>/dev/null || true)
sodium_libs=$(pkg-config --libs libsodium 2>/dev/null || echo -lsodium)

if [ -n "${BUILD_DIR:-}" ]; then
    build=$BUILD_DIR
    mkdir -p "$build"
else
    build=$(mktemp -d)
    trap 'rm -rf "$build"' EXIT
fi

# shellcheck disable=SC2086
"$CC" -std=c11 -D_DEFAULT_SOURCE -O1 -Wall -Wextra -Werror $sodium_cflags \
    -o "$build/gen-relay" "$here/gen-relay.c" \
    "$toxcore_a" $sodium_libs -lpthread -lm

"$build/gen-relay" "$out"
