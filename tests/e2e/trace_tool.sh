#!/bin/sh
# deja-trace on traces written by a small helper linked with the trace
# writer (src/replay/trace.c): info, dump filters and renderings, verify on
# a complete / truncated / corrupted / END-less trace, diff, usage errors.
# Exit 0 pass, 1 fail, 77 skip (tool or trace object not built).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
TOOL=${DEJA_TRACE:-$BUILD/deja-trace}
TRACE_OBJ=$BUILD/src/replay/trace.o
MESSAGE_OBJ=$BUILD/src/util/message.o
if [ ! -x "$TOOL" ] || [ ! -f "$TRACE_OBJ" ]; then
    echo "SKIP: $TOOL or $TRACE_OBJ not built"
    exit 77
fi
OUT=$(mktemp -d "${TMPDIR:-/tmp}/deja-trace-e2e.XXXXXX")
trap 'rm -rf "$OUT"' EXIT

# The helper: mktrace FILE VARIANT, VARIANT = good | noend | other | badwarp.
cat >"$OUT/mktrace.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include "replay/trace.h"
int main(int argc, char **argv)
{
    const char *variant = argv[2];
    TraceHeader h;
    memset(&h, 0, sizeof(h));
    trace_header_set_str(&h, "machine", "virt");
    trace_header_set_str(&h, "icount-shift", "2");
    trace_header_set_str(&h, "ram-size", strcmp(variant, "other") ? "128M" : "256M");
    uint8_t hash[16];
    trace_hash_buffer("kernel", 6, hash);
    trace_header_set(&h, "hash:kernel", hash, 16);
    char err[300];
    TraceWriter *w = trace_writer_open(argv[1], &h, err, sizeof(err));
    if (!w) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    uint8_t v[10];
    size_t n = trace_varint_put(v, 1000000000ull);
    trace_writer_event(w, 0, TRACE_EV_HOST_TIME, 0, v, (uint32_t)n);
    trace_writer_event(w, 0, TRACE_EV_RANDOM, 0, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    for (int i = 0; i < 2000; i++) {
        const char *text = !strcmp(variant, "other") && i == 1500 ? "X\n" : "ls\n";
        trace_writer_event(w, 1000 + (uint64_t)i * 5000, TRACE_EV_SERIAL_INPUT, 0, text, 3);
        if (i % 500 == 0)
            trace_writer_flush(w);
    }
    n = trace_varint_put(v, 250000);
    if (!strcmp(variant, "badwarp"))
        v[n - 1] |= 0x80; /* the varint never ends */
    trace_writer_event(w, 20000000, TRACE_EV_WARP, 0, v, (uint32_t)n);
    n = trace_varint_put(v, TRACE_REQ_QUIT);
    trace_writer_event(w, 30000000, TRACE_EV_HOST_REQUEST, 0, v, (uint32_t)n);
    if (strcmp(variant, "noend")) {
        uint8_t end[17] = { 0 };
        end[0] = 0; /* exit status 0, then a 16-byte digest */
        trace_writer_event(w, 30000000, TRACE_EV_END, 0, end, sizeof(end));
    }
    return trace_writer_close(w) ? 0 : 1;
}
EOF
if ! ${CC:-cc} -std=gnu11 -Isrc -o "$OUT/mktrace" "$OUT/mktrace.c" "$TRACE_OBJ" "$MESSAGE_OBJ" \
    -lzstd -lxxhash 2>"$OUT/cc.log"; then
    # An ASan-built trace.o needs the sanitizer runtime.
    if ! ${CC:-cc} -std=gnu11 -Isrc -fsanitize=address,undefined -o "$OUT/mktrace" \
        "$OUT/mktrace.c" "$TRACE_OBJ" "$MESSAGE_OBJ" -lzstd -lxxhash 2>>"$OUT/cc.log"; then
        echo "FAIL: cannot build the trace helper"; cat "$OUT/cc.log"
        exit 1
    fi
fi
"$OUT/mktrace" "$OUT/good.trace" good || { echo "FAIL: helper"; exit 1; }
"$OUT/mktrace" "$OUT/same.trace" good || exit 1
"$OUT/mktrace" "$OUT/noend.trace" noend || exit 1
"$OUT/mktrace" "$OUT/other.trace" other || exit 1
"$OUT/mktrace" "$OUT/badwarp.trace" badwarp || exit 1

fail=0
check() { # name expected_status expected_output_substring command...
    name=$1 want=$2 text=$3
    shift 3
    out=$("$@" 2>&1 </dev/null)
    status=$?
    if [ "$status" -ne "$want" ]; then
        echo "FAIL $name: exit status $status, expected $want"; fail=1
        printf '%s\n' "$out" | head -n 5 | sed 's/^/    /'
    elif [ -n "$text" ] && ! printf '%s\n' "$out" | grep -q -- "$text"; then
        echo "FAIL $name: output lacks '$text'"; fail=1
        printf '%s\n' "$out" | head -n 20 | sed 's/^/    /'
    else
        echo "ok   $name"
    fi
}

check help 0 "usage: deja-trace" "$TOOL" --help
check no-args 2 "missing command" "$TOOL"
check bad-command 2 "unknown command" "$TOOL" frobnicate x
check bad-kind 2 "unknown event kind" "$TOOL" dump "$OUT/good.trace" --kind NOPE
check bad-from 2 "not an instruction count" "$TOOL" dump "$OUT/good.trace" --from x
check missing-file 2 "No such file" "$TOOL" info "$OUT/missing.trace"

check info-header 0 "hash:kernel" "$TOOL" info "$OUT/good.trace"
check info-config 0 "ram-size.*128M" "$TOOL" info "$OUT/good.trace"
check info-counts 0 "SERIAL_INPUT  ch 0         2000 events" "$TOOL" info "$OUT/good.trace"
check info-end 0 "END at instruction 30000000, exit status 0" "$TOOL" info "$OUT/good.trace"
# (30000000 << 2) ns + 250000 ns of warp = 0.120250000 s
check info-vtime 0 "virtual time:  0.120250000 s" "$TOOL" info "$OUT/good.trace"
check info-chunks 0 "chunks:        6 (1 header, 5 events)" "$TOOL" info "$OUT/good.trace"

check dump-serial 0 '^3 icount=1000 SERIAL_INPUT ch=0 len=3 "ls\\n"$' \
    "$TOOL" dump "$OUT/good.trace" --kind serial_input
check dump-time 0 'HOST_TIME ch=0 len=5 1000000000 ns' "$TOOL" dump "$OUT/good.trace" --kind 2
check dump-random 0 'RANDOM ch=0 len=8 0102030405060708' "$TOOL" dump "$OUT/good.trace"
check dump-request 0 'HOST_REQUEST ch=0 len=1 QUIT (1)' "$TOOL" dump "$OUT/good.trace"
check dump-warp 0 'WARP ch=0 len=3 +250000 ns' "$TOOL" dump "$OUT/good.trace" --kind WARP
check dump-end 0 'END ch=0 len=17 exit status 0, digest 0000' "$TOOL" dump "$OUT/good.trace"
n=$("$TOOL" dump "$OUT/good.trace" --from 1000 --to 11000 | wc -l)
if [ "$n" -eq 3 ]; then echo "ok   dump-range"; else echo "FAIL dump-range: $n lines, expected 3"; fail=1; fi
n=$("$TOOL" dump "$OUT/good.trace" --kind WARP --kind END | wc -l)
if [ "$n" -eq 2 ]; then echo "ok   dump-kinds"; else echo "FAIL dump-kinds: $n lines, expected 2"; fail=1; fi

check verify-good 0 "OK: 2005 events" "$TOOL" verify "$OUT/good.trace"
check verify-noend 1 "no END record" "$TOOL" verify "$OUT/noend.trace"
size=$(wc -c <"$OUT/good.trace")
head -c $((size - 10)) "$OUT/good.trace" >"$OUT/cut.trace"
check verify-truncated 1 "truncated after chunk 4 at instruction 7501000 (recording was interrupted)" \
    "$TOOL" verify "$OUT/cut.trace"
cp "$OUT/good.trace" "$OUT/flip.trace"
printf '\377' | dd of="$OUT/flip.trace" bs=1 seek=$((size - 5)) conv=notrunc 2>/dev/null
check verify-corrupt 1 "chunk 5 at offset [0-9]*: payload checksum mismatch" \
    "$TOOL" verify "$OUT/flip.trace"
check verify-payload 1 "event 2003 (WARP): payload is not exactly one varint" \
    "$TOOL" verify "$OUT/badwarp.trace"
check dump-malformed 0 "WARP ch=0 len=3 malformed payload 90a18f" "$TOOL" dump "$OUT/badwarp.trace"
check verify-garbage 1 "not a deja trace" "$TOOL" verify "$OUT/mktrace.c"

check diff-same 0 "" "$TOOL" diff "$OUT/good.trace" "$OUT/same.trace"
check diff-header 1 "header ram-size differs" "$TOOL" diff "$OUT/good.trace" "$OUT/other.trace"
check diff-event 1 "first difference at event 1503" "$TOOL" diff "$OUT/good.trace" "$OUT/other.trace"
check diff-event-b 1 'B: 1503 icount=7501000 SERIAL_INPUT ch=0 len=3 "X\\n\\x00"' \
    "$TOOL" diff "$OUT/good.trace" "$OUT/other.trace"
check diff-shorter 1 "A: (ends after 2004 events)" "$TOOL" diff "$OUT/noend.trace" "$OUT/good.trace"

exit $fail
