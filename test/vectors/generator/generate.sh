#!/bin/sh
# Builds the generators (gen.c: crypto, wire, DHT, net_crypto; gen-onion.c: onion;
# gen-relay.c: TCP relay; gen-savedata.c: c-toxcore's savedata) against the Debian
# c-toxcore 0.2.18 static library and writes their known-answer suites into test/vectors/.
# Each is linked with gen-common.c (errors, seeded bytes, the JSON writer, the
# deterministic random source); gen, gen-onion and gen-relay also include
# toxcore-internal.h (the c-toxcore internals they declare), and gen and gen-onion are
# linked with fake-net.c (the fake UDP network and the DHT nodes on it).
# Needs: cc, libtoxcore-dev 0.2.18, libsodium-dev.
#
#   test/vectors/generator/generate.sh                 # all four: build, run, write ../*.json
#   test/vectors/generator/generate.sh gen-onion       # one of gen, gen-onion, gen-relay, gen-savedata
#   BUILD_DIR=/tmp/gen test/vectors/generator/generate.sh   # build in (and keep) that folder
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$here/.." && pwd)
libdir=${TOXCORE_LIBDIR:-/usr/lib/x86_64-linux-gnu}
toxcore_a="$libdir/libtoxcore.a"
CC=${CC:-cc}

[ -f "$toxcore_a" ] || { echo "generate.sh: $toxcore_a not found (install libtoxcore-dev 0.2.18)" >&2; exit 1; }
[ -f /usr/include/tox/tox.h ] || { echo "generate.sh: tox/tox.h not found (install libtoxcore-dev)" >&2; exit 1; }

# The generators declare c-toxcore's internal structs themselves; check that the library
# agrees on their sizes (its own constant objects empty_ip_port and empty_node_format).
if command -v nm >/dev/null 2>&1; then
    size_of() {
        nm -S "$toxcore_a" 2>/dev/null | awk -v sym="$1" '$4 == sym && $3 ~ /^[RrDd]$/ { print $2; exit }'
    }
    ipp=$(size_of empty_ip_port)
    node=$(size_of empty_node_format)
    if [ "$ipp" != "0000000000000020" ] || [ "$node" != "0000000000000040" ]; then
        echo "generate.sh: libtoxcore.a has sizeof(IP_Port)=0x$ipp, sizeof(Node_format)=0x$node; the generators expect 0x20 and 0x40" >&2
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

generators=${*:-gen gen-onion gen-relay gen-savedata}
for name in $generators; do
    [ -f "$here/$name.c" ] || { echo "generate.sh: no generator $name.c" >&2; exit 1; }
    case $name in
        gen | gen-onion) shared="$here/gen-common.c $here/fake-net.c" ;;
        *) shared="$here/gen-common.c" ;;
    esac
    # shellcheck disable=SC2086
    "$CC" -std=c11 -D_DEFAULT_SOURCE -O1 -Wall -Wextra -Werror $sodium_cflags \
        -o "$build/$name" "$here/$name.c" $shared \
        "$toxcore_a" $sodium_libs -lpthread -lm
    "$build/$name" "$out"
done
