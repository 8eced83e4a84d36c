/* QMP, QEMU's JSON machine protocol, on a chardev (-qmp
 * unix:PATH,server,nowait | tcp:HOST:PORT,server,nowait | stdio),
 * docs/qmp.md. JSON through jansson.
 *
 * Like the HMP it runs on the machine thread only: the board calls
 * qmp_poll at round boundaries and while paused. Commands that change the
 * guest (quit, system_reset, system_powerdown) only set
 * VirtMachine.monitor_request, handled (and recorded) by the board at the
 * round boundary, refused in replay.
 *
 * Adding a command: write `json_t *qmp_cmd_NAME(Qmp *q, json_t *args)`
 * (in its own file if you like, prototype below), and add ONE line to the
 * table qmp_commands[] in qmp.c with its name and argument spec. The
 * handler returns the "return" value (a new reference; json_object() for
 * {}), or NULL after qmp_error(). Arguments are checked against the spec
 * before the handler runs, so the handler can trust the types. */
#ifndef DEJA_QMP_H
#define DEJA_QMP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/chardev.h"

struct VirtMachine;
typedef struct Qmp Qmp;

/* The protocol on chr (owned by the caller, must outlive it). chr may be
 * NULL for unit tests, which then use qmp_set_sink/qmp_connect/qmp_feed. */
Qmp *qmp_create(struct VirtMachine *m, Chardev *chr);
void qmp_destroy(Qmp *q);
Chardev *qmp_chardev(Qmp *q);
/* -mon pretty=on: each message is indented JSON over several lines (still
 * ended by \r\n); off (the default): one message per line. */
void qmp_set_pretty(Qmp *q, bool pretty);

/* Reads what input is there (never blocks), greets a new client, runs
 * each complete request, and sends STOP/RESUME when the machine's paused
 * state changed since the last poll. */
void qmp_poll(Qmp *q);

/* The machine has stopped for good (after virt_run): sends SHUTDOWN with
 * the reason (the QMP quit, a guest poweroff, or the host). */
void qmp_machine_exit(Qmp *q);

/* The machine was reset (virt.c): sends RESET, guest true for a reset
 * by the guest, else a system_reset from QMP or the HMP. */
void qmp_reset_event(Qmp *q, bool guest);

/* For unit tests: output goes to sink instead of the chardev; qmp_connect
 * starts a session (greeting, capabilities negotiation mode); qmp_feed
 * handles bytes as if read from the client. */
void qmp_set_sink(Qmp *q, void (*sink)(void *opaque, const char *text, size_t len), void *opaque);
void qmp_connect(Qmp *q);
void qmp_feed(Qmp *q, const char *data, size_t len);

/* ---- for command handlers ---------------------------------------------- */

/* Sets the error reply of the running command: class is QEMU's
 * ("GenericError", "CommandNotFound", "DeviceNotFound"...). */
void qmp_error(Qmp *q, const char *class_name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
struct VirtMachine *qmp_machine(Qmp *q);
/* Sends an event {"event", "data", "timestamp"} to the client (after
 * capabilities negotiation only). data is stolen; NULL: no "data". */
void qmp_event(Qmp *q, const char *name, json_t *data);

/* The built-in commands (qmp.c). */
json_t *qmp_cmd_capabilities(Qmp *q, json_t *args);
json_t *qmp_cmd_query_status(Qmp *q, json_t *args);
json_t *qmp_cmd_query_replay(Qmp *q, json_t *args);
json_t *qmp_cmd_replay_break(Qmp *q, json_t *args);
json_t *qmp_cmd_replay_delete_break(Qmp *q, json_t *args);
json_t *qmp_cmd_replay_seek(Qmp *q, json_t *args);
json_t *qmp_cmd_stop(Qmp *q, json_t *args);
json_t *qmp_cmd_cont(Qmp *q, json_t *args);
json_t *qmp_cmd_quit(Qmp *q, json_t *args);
json_t *qmp_cmd_system_reset(Qmp *q, json_t *args);
json_t *qmp_cmd_system_powerdown(Qmp *q, json_t *args);
json_t *qmp_cmd_human_monitor_command(Qmp *q, json_t *args);
json_t *qmp_cmd_query_commands(Qmp *q, json_t *args);
json_t *qmp_cmd_query_version(Qmp *q, json_t *args);
json_t *qmp_cmd_query_name(Qmp *q, json_t *args);
json_t *qmp_cmd_query_target(Qmp *q, json_t *args);
json_t *qmp_cmd_query_kvm(Qmp *q, json_t *args);
json_t *qmp_cmd_input_send_event(Qmp *q, json_t *args); /* qmp_input.c */
json_t *qmp_cmd_screendump(Qmp *q, json_t *args); /* qmp_display.c */

#endif
