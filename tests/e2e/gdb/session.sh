# Sourced by tests/e2e/gdb_bare.sh and gdb_linux.sh (after tests/lib/e2e.sh
# and out_dir).
# gdb_session NAME ELF DEJA-ARGS... : deja with -S -gdb on a free port,
# gdb-multiarch running tests/e2e/gdb/check.py on it (GDB_* settings from
# the environment, GDB_ELF=ELF, which may be empty); output in
# $OUT/NAME.{gdb,err,values}; its ok/FAIL lines are printed and a failure
# sets fail=1.
gdb_session() {
    name=$1
    elf=$2
    shift 2
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    timeout 60 $DEJA "$@" -S -gdb tcp::$port 2>$OUT/$name.err &
    pid=$!
    i=0
    while [ $i -lt 50 ] && ! python3 -c "import socket; socket.create_connection(('127.0.0.1',$port)).close()" 2>/dev/null; do
        sleep 0.1
        i=$((i + 1))
    done
    # the probe connection above was a gdb session that ended at once
    GDB_PORT=$port GDB_ELF=$elf timeout 60 gdb-multiarch -batch -nx \
        -x tests/e2e/gdb/check.py >$OUT/$name.gdb 2>&1
    kill $pid 2>/dev/null
    wait $pid 2>/dev/null
    grep -E '^(ok|FAIL) ' $OUT/$name.gdb | sed "s/^\(ok  \|FAIL\) /&$name: /"
    # the Old/New values gdb printed at each watchpoint stop
    grep '^expect-watch' $OUT/$name.gdb | while read -r _ old new; do
        if grep -A1 "^Old value = $old\$" $OUT/$name.gdb | grep -q "^New value = $new\$"; then
            echo "ok   $name: watch values $old -> $new"
        else
            echo "FAIL $name: gdb did not print Old value = $old, New value = $new"
        fi
    done >$OUT/$name.values
    cat $OUT/$name.values
    if grep -q '^FAIL' $OUT/$name.gdb $OUT/$name.values || ! grep -q '^ok ' $OUT/$name.gdb; then
        fail=1
        echo "--- $name: gdb output"; tail -20 $OUT/$name.gdb; echo "--- deja stderr"; tail -5 $OUT/$name.err
    fi
}
