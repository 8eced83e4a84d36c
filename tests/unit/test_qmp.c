/* QMP dispatch on a small machine with crafted input (output through a
 * sink): the greeting, capabilities negotiation, QEMU's error replies for
 * malformed JSON and bad requests, ids echoed, stop/cont with their
 * events, human-monitor-command, host requests only set
 * monitor_request; then a fuzz of random bytes and mutated requests:
 * every reply is one valid JSON object per line, nothing crashes. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/virt.h"
#include "monitor/qmp.h"
#include "replay/trace.h"

#include "unit/check.h"

static char out[1 << 20];
static size_t out_len;

static void sink(void *opaque, const char *text, size_t len)
{
    (void)opaque;
    if (out_len + len >= sizeof(out))
        out_len = 0; /* the fuzz writes a lot: keep the tail */
    memcpy(out + out_len, text, len);
    out_len += len;
    out[out_len] = 0;
}

static Qmp *q;

/* Feeds input, returns what came out (static buffer). */
static const char *feed(const char *text)
{
    out_len = 0;
    out[0] = 0;
    qmp_feed(q, text, strlen(text));
    return out;
}

/* Every line of out is a JSON object with one of the QMP keys. Returns
 * the number of lines, -1 if one is not. */
static int check_lines(void)
{
    int lines = 0;
    char *s = out;
    while (*s) {
        char *end = strstr(s, "\r\n");
        if (!end)
            return -1;
        json_error_t error;
        json_t *msg = json_loadb(s, (size_t)(end - s), 0, &error);
        if (!msg || !json_is_object(msg) ||
            !(json_object_get(msg, "return") || json_object_get(msg, "event") ||
              json_object_get(msg, "QMP") ||
              (json_is_string(json_object_get(json_object_get(msg, "error"), "class")) &&
               json_is_string(json_object_get(json_object_get(msg, "error"), "desc"))))) {
            printf("bad line: %.*s\n", (int)(end - s), s);
            json_decref(msg);
            return -1;
        }
        json_decref(msg);
        lines++;
        s = end + 2;
    }
    return lines;
}

#define HAS(text, needle) (strstr((text), (needle)) != NULL)

int main(void)
{
    VirtConfig config = { .ram_size = 16 << 20, .hart_count = 2, .bios = "none" };
    VirtMachine *m = virt_create(&config);
    CHECK(m != NULL);
    if (!m)
        return 1;
    q = qmp_create(m, NULL);
    CHECK(q != NULL);
    m->qmp = q;
    qmp_set_sink(q, sink, NULL);

    out_len = 0;
    qmp_connect(q);
    CHECK(!strncmp(out, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}", 60));
    CHECK(HAS(out, "\"capabilities\": []}}\r\n"));
    qmp_poll(q); /* learns the paused state */

    /* negotiation */
    CHECK(!strcmp(feed("{\"execute\": \"query-status\", \"id\": 1}"),
                  "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Expecting capabilities "
                  "negotiation with 'qmp_capabilities'\"}, \"id\": 1}\r\n"));
    CHECK(HAS(feed("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}"),
              "Capability 'oob' not available"));
    CHECK(HAS(feed("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [1]}}"),
              "GenericError"));
    CHECK(!strcmp(feed("{\"execute\": \"qmp_capabilities\"}"), "{\"return\": {}}\r\n"));
    CHECK(HAS(feed("{\"execute\": \"qmp_capabilities\"}"), "already complete"));

    /* replies and ids */
    CHECK(!strcmp(feed("{\"execute\": \"query-status\", \"id\": \"a\"}"),
                  "{\"return\": {\"running\": true, \"singlestep\": false, \"status\": "
                  "\"running\"}, \"id\": \"a\"}\r\n"));
    CHECK(HAS(feed("{\"id\": [1, {\"x\": null}], \"execute\": \"query-name\"}"),
              "{\"return\": {}, \"id\": [1, {\"x\": null}]}"));
    CHECK(!strcmp(feed("{\"execute\": \"query-replay\"}"),
                  "{\"return\": {\"mode\": \"none\", \"icount\": 0}}\r\n"));

    /* pretty=on (-mon): QEMU's indented form, still one message per \r\n */
    qmp_set_pretty(q, true);
    CHECK(!strcmp(feed("{\"execute\": \"query-replay\", \"id\": 2}"),
                  "{\n    \"return\": {\n        \"mode\": \"none\",\n        \"icount\": 0\n    },\n"
                  "    \"id\": 2\n}\r\n"));
    qmp_set_pretty(q, false);
    CHECK(!strcmp(feed("{\"execute\": \"query-replay\"}"),
                  "{\"return\": {\"mode\": \"none\", \"icount\": 0}}\r\n"));

    /* malformed input */
    CHECK(HAS(feed("{\"execute\": }"), "JSON parse error"));
    CHECK(HAS(feed("nonsense "), "JSON parse error"));
    CHECK(HAS(feed("42 "), "QMP input must be a JSON object"));
    CHECK(HAS(feed("[\"execute\"]"), "QMP input must be a JSON object"));
    CHECK(HAS(feed("{}"), "QMP input lacks member 'execute'"));
    CHECK(HAS(feed("{\"execute\": 1, \"id\": 5}"), "'execute' must be a string\"}, \"id\": 5}"));
    CHECK(HAS(feed("{\"execute\": \"stop\", \"arguments\": 3}"), "'arguments' must be an object"));
    CHECK(HAS(feed("{\"execute\": \"stop\", \"exec-oob\": 3}"), "'exec-oob' is unexpected"));
    CHECK(HAS(feed("{\"execute\": \"no-such\"}"),
              "{\"class\": \"CommandNotFound\", \"desc\": \"The command no-such has not been found\"}"));
    CHECK(HAS(feed("{\"execute\": \"replay-break\", \"arguments\": {\"icount\": 1.5}}"),
              "Invalid parameter type for 'icount', expected: integer"));
    CHECK(HAS(feed("{\"execute\": \"replay-break\"}"), "Parameter 'icount' is missing"));
    CHECK(HAS(feed("{\"execute\": \"stop\", \"arguments\": {\"x\": 1}}"), "Parameter 'x' is unexpected"));
    CHECK(HAS(feed("{\"execute\": \"replay-break\", \"arguments\": {\"icount\": 100}}"),
              "only in replay mode"));
    CHECK(HAS(feed("{\"execute\": \"replay-seek\", \"arguments\": {\"icount\": 100}}"),
              "only in replay mode"));
    CHECK(HAS(feed("{\"execute\": \"x\", \"execute\": \"y\"}"), "error"));
    CHECK(HAS(feed("{\"execute\": \"query-name\", \"id\": \"\\u00e9\\\"}\"}"),
              "\"id\": \"\\u00E9\\\"}\"}"));
    CHECK(HAS(feed("{\"execute\": \"a\\u0000b\"}"), "JSON parse error"));
    /* split over several feeds, two in one, stray closers */
    CHECK(!strcmp(feed("{\"execute\": \"que"), ""));
    CHECK(HAS(feed("ry-kvm\"}"), "\"enabled\": false"));
    feed("{\"execute\": \"query-name\"}{\"execute\": \"query-target\"}");
    CHECK(check_lines() == 2 && HAS(out, "riscv64"));
    CHECK(HAS(feed("} "), "JSON parse error"));
    /* too deep, too long: one error, then the line is skipped */
    {
        char *deep = malloc(5002);
        memset(deep, '[', 5000);
        deep[5000] = '\n';
        deep[5001] = 0;
        feed(deep);
        CHECK(check_lines() == 1 && HAS(out, "too deep"));
        free(deep);
        size_t n = (2u << 20) + 2;
        char *big = malloc(n + 1);
        memset(big, ' ', n);
        memcpy(big, "{\"execute\": \"", 13);
        memset(big + 13, 'a', n - 20);
        big[n - 1] = '\n';
        big[n] = 0;
        feed(big);
        CHECK(check_lines() == 1 && HAS(out, "too large"));
        free(big);
        CHECK(HAS(feed("{\"execute\": \"query-name\"}"), "{\"return\": {}}"));
    }

    /* stop/cont and their events, before the reply */
    feed("{\"execute\": \"stop\", \"id\": 1}");
    CHECK(m->paused && !strncmp(out, "{\"event\": \"STOP\", \"timestamp\": {\"seconds\": ", 43) &&
          HAS(out, "}}\r\n{\"return\": {}, \"id\": 1}\r\n"));
    CHECK(HAS(feed("{\"execute\": \"query-status\"}"), "\"running\": false, \"singlestep\": false, \"status\": \"paused\""));
    feed("{\"execute\": \"cont\"}");
    CHECK(!m->paused && HAS(out, "\"event\": \"RESUME\""));
    m->paused = true; /* stopped elsewhere (HMP, replay_break): the event on the next poll */
    out_len = 0;
    qmp_poll(q);
    CHECK(HAS(out, "\"event\": \"STOP\""));
    m->paused = false;
    qmp_poll(q);

    /* human-monitor-command */
    feed("{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info registers\", \"cpu-index\": 1}}");
    CHECK(HAS(out, "{\"return\": \" pc ") && HAS(out, "mhartid  0000000000000001\\r\\n"));
    CHECK(HAS(feed("{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info status\"}}"),
              "{\"return\": \"VM status: running\\r\\nReplay mode: none\\r\\n\"}"));
    CHECK(HAS(feed("{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"\"}}"),
              "{\"return\": \"\"}"));
    CHECK(HAS(feed("{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info status\", \"cpu-index\": 9}}"),
              "GenericError"));
    CHECK(HAS(feed("{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": 5}}"),
              "expected: string"));
    CHECK(HAS(feed("{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"stop\\ncont\"}}"),
              "single line"));
    feed("{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"stop\"}}");
    CHECK(m->paused && HAS(out, "STOP"));
    feed("{\"execute\": \"cont\"}");

    /* host requests */
    CHECK(!strcmp(feed("{\"execute\": \"system_reset\"}"), "{\"return\": {}}\r\n"));
    CHECK_EQ(m->monitor_request, TRACE_REQ_RESET);
    out_len = 0;
    qmp_reset_event(q, false); /* the board, when it has reset the machine */
    {
        static const char want[] = "{\"event\": \"RESET\", \"data\": {\"guest\": false, \"reason\": "
                                   "\"host-qmp-system-reset\"}, \"timestamp\"";
        CHECK(!strncmp(out, want, sizeof(want) - 1));
    }
    feed("{\"execute\": \"system_powerdown\"}");
    CHECK_EQ(m->monitor_request, TRACE_REQ_POWERDOWN);
    feed("{\"execute\": \"quit\"}");
    CHECK_EQ(m->monitor_request, TRACE_REQ_QUIT);
    m->monitor_request = 0;
    CHECK(HAS(feed("{\"execute\": \"query-commands\"}"), "{\"name\": \"human-monitor-command\"}"));

    /* a new session must negotiate again */
    qmp_connect(q);
    CHECK(HAS(feed("{\"execute\": \"stop\"}"), "Expecting capabilities negotiation"));
    feed("{\"execute\": \"qmp_capabilities\"}");

    /* fuzz: random bytes and mutated requests */
    static const char *const seeds[] = {
        "{\"execute\": \"query-status\", \"id\": 1}",
        "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info registers\"}}",
        "{\"execute\": \"replay-break\", \"arguments\": {\"icount\": 12}}",
        "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": []}}",
        "{\"execute\": \"query-replay\", \"id\": [\"x\", {\"y\": 1.5e3}]}",
        "{\"execute\": \"stop\"}",
        "{\"execute\": \"cont\"}",
    };
    static const char alphabet[] = "{}[]\":,\\ \n\r\tatrue0123456789-.eE\x01\xff";
    unsigned seed = 12345;
    char buf[512];
    for (int iter = 0; iter < 20000; iter++) {
        seed = seed * 1103515245u + 12345u;
        const char *base = seeds[(seed >> 16) % (sizeof(seeds) / sizeof(seeds[0]))];
        size_t n = strlen(base);
        memcpy(buf, base, n);
        int edits = 1 + (int)((seed >> 8) % 4);
        for (int e = 0; e < edits; e++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 16) % n;
            char c = alphabet[(seed >> 4) % (sizeof(alphabet) - 1)];
            switch ((seed >> 12) % 3) {
            case 0: buf[at] = c; break; /* replace */
            case 1: /* delete */
                memmove(buf + at, buf + at + 1, n - at - 1);
                n--;
                break;
            default: /* insert */
                if (n + 1 < sizeof(buf)) {
                    memmove(buf + at + 1, buf + at, n - at);
                    buf[at] = c;
                    n++;
                }
            }
            if (!n)
                break;
        }
        out_len = 0;
        out[0] = 0;
        qmp_feed(q, buf, n);
        qmp_feed(q, "\n", 1);
        if (check_lines() < 0) {
            printf("FAIL fuzz input: %.*s\n", (int)n, buf);
            failures++;
            break;
        }
        m->monitor_request = 0;
        m->paused = false;
        m->replay_break = UINT64_MAX;
    }
    /* after the fuzz the stream recovers: close whatever is open */
    feed("\"]]]]]]]]]]}}}}}}}}}}}}\n");
    qmp_connect(q);
    feed("{\"execute\": \"qmp_capabilities\"}");
    CHECK(!strcmp(out, "{\"return\": {}}\r\n"));

    qmp_destroy(q);
    m->qmp = NULL;
    virt_destroy(m);
    return failures != 0;
}
