#!/bin/sh
# Builds gen-onion.c against the Debian c-toxcore 0.2.18 static library and writes the onion
# known-answer suites (test/vectors/onion-*.json). Needs: cc, libtoxcore-dev 0.2.18,
# libsodium-dev.
#
#   test/vectors/generator/generate-onion.sh                          # build, run, write ../onion-*.json
#   BUILD_DIR=/tmp/gen test/vectors/generator/generate-onion.sh       # build in (and keep) that folder
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$here/.." && pwd)
libdir=${TOXCORE_LIBDIR:-/usr/lib/x86_64-linux-gnu}
toxcore_a="$libdir/libtoxcore.a"
CC=${CC:-cc}

[ -f "$toxcore_a" ] || { echo "generate-onion.sh: $toxcore_a not found (install libtoxcore-dev 0.2.18)" >&2; exit 1; }
[ -f /usr/include/tox/tox.h ] || { echo "generate-onion.sh: tox/tox.h not found (install libtoxcore-dev)" >&2; exit 1; }

# gen-onion.c declares c-toxcore's internal structs itself; check that the library agrees on
# the sizes of the two it can see (its constant objects empty_ip_port and empty_node_format).
if command -v nm >/dev/null 2>&1; then
    size_of() {
        nm -S "$toxcore_a" 2>/dev/null | awk -v sym="$1" '$4 == sym && $3 ~ /^[RrDd]$/ { print $2; exit }'
    }
    ipp=$(size_of empty_ip_port)
    node=$(size_of empty_node_format)
    if [ "$ipp" != "0000000000000020" ] || [ "$node" != "0000000000000040" ]; then
        echo "generate-onion.sh: libtoxcore.a has sizeof(IP_Port)=0x$ipp, sizeof(Node_format)=0x$node; gen-onion.c expects 0x20 and 0x40" >&2
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
    -o "$build/gen-onion" "$here/gen-onion.c" \
    "$toxcore_a" $sodium_libs -lpthread -lm

"$build/gen-onion" "$out"
