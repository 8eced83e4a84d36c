/* The gdb remote stub (-s, -gdb tcp:[HOST]:PORT|unix:PATH), docs/gdb.md.
 *
 * It runs on the machine thread: the board polls it at round boundaries
 * and while paused (like the monitor). Breakpoints and watchpoints never
 * write guest memory: while gdb has any (or is stepping, or scanning the
 * past for reverse-continue), the board runs the harts through
 * gdb_run_hart, one instruction at a time with the checks in between;
 * otherwise the interpreter runs as without gdb. In replay mode the stub
 * also serves reverse-stepi and reverse-continue (bs/bc) on top of
 * virt_seek (board/virt_seek.h). */
#ifndef DEJA_GDBSTUB_H
#define DEJA_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "host/chardev.h"

struct VirtMachine;
typedef struct GdbStub GdbStub;

/* spec: "tcp:[HOST]:PORT" (HOST defaults to 127.0.0.1) or "unix:PATH";
 * listens without waiting for the client. NULL and a message in err on
 * failure. */
GdbStub *gdb_create(struct VirtMachine *m, const char *spec, char *err, size_t err_len);
/* Tells a connected gdb that the machine is gone (W packet) and closes. */
void gdb_destroy(GdbStub *g, int exit_status);
Chardev *gdb_chardev(GdbStub *g);

/* Reads and handles what the client sent (never blocks). A new client or
 * Ctrl-C stops the machine (VirtMachine.paused). */
void gdb_poll(GdbStub *g);

/* True when the harts must run through gdb_run_hart (breakpoints,
 * watchpoints, a step or a reverse scan in progress). */
bool gdb_stepping(const GdbStub *g);

/* Runs h for at most budget instructions, one at a time, checking gdb's
 * stop conditions; sets *hit and returns when the machine must stop at
 * the current position (the stop reply is already sent). */
HartStop gdb_run_hart(GdbStub *g, Hart *h, uint64_t budget, bool *hit);

/* For the monitor (src/monitor/hmp_gdb.c) and qRcmd: moves a replay to
 * machine instruction count icount. */
bool gdb_goto_icount(struct VirtMachine *m, uint64_t icount, char *err, size_t err_len);

/* ---- gdb_target.c: the machine as gdb sees it ---- */

/* Target description (target.xml). */
const char *gdb_target_xml(void);
/* Register regnum (gdb numbering: x0-31 = 0-31, pc 32, f0-31 33-64, CSR
 * c = 65 + c, priv 4161) as a little-endian 64-bit value. */
bool gdb_read_register(Hart *h, int regnum, uint64_t *value);
bool gdb_write_register(Hart *h, int regnum, uint64_t value);
/* Guest memory as hart h sees it (its MMU at its privilege; physical if
 * the address does not translate). RAM and ROM only: MMIO is refused
 * (a read could change a device). */
bool gdb_read_memory(struct VirtMachine *m, Hart *h, uint64_t addr, uint8_t *buf, size_t len);
bool gdb_write_memory(struct VirtMachine *m, Hart *h, uint64_t addr, const uint8_t *buf, size_t len);
/* The data access the instruction at h->pc will make: false if none
 * (not a load/store/AMO or not fetchable). *kind: 1 read, 2 write, 3 both. */
bool gdb_next_access(struct VirtMachine *m, Hart *h, uint64_t *addr, int *size, int *kind);

#endif
