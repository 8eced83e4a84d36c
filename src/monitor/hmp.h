/* The human monitor (HMP): QEMU's text command interface on a chardev
 * (-monitor stdio|unix:PATH,server,nowait|tcp:HOST:PORT,server,nowait),
 * docs/monitor.md.
 *
 * It runs on the machine thread only: the board calls hmp_poll at round
 * boundaries and while paused, so a command never sees a hart in the
 * middle of a slice. Commands never reach the guest as input; the ones
 * that change the machine (quit, system_reset, system_powerdown) only set
 * VirtMachine.monitor_request, which the board handles (and records) as a
 * host request at the round boundary. */
#ifndef DEJA_HMP_H
#define DEJA_HMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/chardev.h"

struct VirtMachine;
typedef struct Hmp Hmp;

/* No replay_break armed. */
#define HMP_NO_BREAK UINT64_MAX

/* The monitor on chr (owned by the caller, must outlive it). The greeting
 * and the first prompt are written when a client is there to read them. */
Hmp *hmp_create(struct VirtMachine *m, Chardev *chr);
/* The monitor on a mux chardev (-nographic's stdio, chr->mux set): it
 * takes the keyboard on Ctrl-A c and gives it back on the next Ctrl-A c;
 * it echoes what is typed (the terminal is raw). */
Hmp *hmp_create_mux(struct VirtMachine *m, Chardev *chr);
void hmp_destroy(Hmp *mon);
Chardev *hmp_chardev(Hmp *mon);

/* Reads what input is there (never blocks) and runs each complete line. */
void hmp_poll(Hmp *mon);

/* Runs one command line and writes its output to the chardev (exposed for
 * unit tests and for hmp_poll). */
void hmp_execute(Hmp *mon, const char *line);

/* Runs one command line and returns its output (malloc'ed, "" if none,
 * NULL if out of memory) instead of writing it to the chardev: QMP's
 * human-monitor-command. An Hmp made with hmp_create(m, NULL) has no
 * chardev and is only used this way. */
char *hmp_execute_capture(Hmp *mon, const char *line);

/* For commands that live in their own files (hmp_<topic>.c), called from
 * hmp_execute's dispatch: output to the monitor's client (\n becomes
 * \r\n), the machine, the current hart (the `cpu` command), and QEMU's
 * expression syntax for numbers ("0x8000_0000", "$pc + 4", registers). */
void hmp_printf(Hmp *mon, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct VirtMachine *hmp_machine(Hmp *mon);
struct Hart *hmp_current_hart(Hmp *mon);
bool hmp_parse_expr(Hmp *mon, const char *text, uint64_t *value);

/* Parses an x/xp format ("/4xw", "/s", ""): count, format letter, unit
 * size in bytes. Returns false on a bad format. */
bool hmp_parse_format(const char *text, int *count, char *format, int *size);

#endif
