/* Human monitor: x/xp format parsing, and commands on a small machine
 * (output captured through a file chardev): errors never crash, x/xp
 * output, stop/cont, host requests only set monitor_request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board/virt.h"
#include "monitor/hmp.h"
#include "replay/trace.h"

#include "unit/check.h"

static char path[] = "/tmp/deja-test-hmp-XXXXXX";
static Chardev chr;
static Hmp *mon;

/* Runs a command, returns its output (static buffer). */
static const char *run(const char *line)
{
    static char text[8192];
    FILE *f = fopen(path, "rb");
    long before = 0;
    if (f) {
        fseek(f, 0, SEEK_END);
        before = ftell(f);
        fclose(f);
    }
    hmp_execute(mon, line);
    f = fopen(path, "rb");
    size_t n = 0;
    if (f) {
        fseek(f, before, SEEK_SET);
        n = fread(text, 1, sizeof(text) - 1, f);
        fclose(f);
    }
    text[n] = 0;
    return text;
}

int main(void)
{
    int count = 1, size = 4;
    char format = 'x';
    CHECK(hmp_parse_format("/4xw", &count, &format, &size) && count == 4 && format == 'x' &&
          size == 4);
    CHECK(hmp_parse_format("/2dg", &count, &format, &size) && count == 2 && format == 'd' &&
          size == 8);
    CHECK(hmp_parse_format("/b", &count, &format, &size) && size == 1 && count == 2);
    CHECK(!hmp_parse_format("/4q", &count, &format, &size));
    CHECK(!hmp_parse_format("/0x", &count, &format, &size));
    CHECK(!hmp_parse_format("/99999999999x", &count, &format, &size));

    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    char spec[64], err[256];
    snprintf(spec, sizeof(spec), "file:%s", path);
    CHECK(chardev_open(&chr, spec, "monitor", false, err, sizeof(err)));
    VirtConfig config = { .ram_size = 16 << 20, .hart_count = 2, .bios = "none" };
    VirtMachine *m = virt_create(&config);
    CHECK(m != NULL);
    if (!m)
        return 1;
    mon = hmp_create(m, &chr);
    m->monitor = mon;

    uint32_t word = 0x12345678;
    memcpy(bus_ram_ptr(&m->bus, VIRT_DRAM_BASE, 4), &word, 4);
    CHECK(strcmp(run("xp /1xw 0x80000000"), "0000000080000000: 0x12345678\r\n") == 0);
    CHECK(strcmp(run("xp/2xb 0x80000000"), "0000000080000000: 0x78 0x56\r\n") == 0);
    CHECK(strcmp(run("x /1uh 0x80000000+2"), "0000000080000002: 4660\r\n") == 0);
    CHECK(strstr(run("xp /1xg 0x80fffffc"), "Cannot access memory") != NULL);
    CHECK(strstr(run("xp /1xw 0x10000000"), "Cannot access memory") != NULL);
    CHECK(strstr(run("xp /1xw"), "address expected") != NULL);
    CHECK(strstr(run("xp /1zw 0"), "invalid char in format") != NULL);
    CHECK(strstr(run("xp /1xw $nosuchreg"), "invalid address") != NULL);
    CHECK(strcmp(run("frobnicate 1 2"), "unknown command: 'frobnicate'\r\n") == 0);
    CHECK(strstr(run("info nothing"), "unknown subcommand") != NULL);
    CHECK(strstr(run("info status"), "VM status: running") != NULL);
    run("stop");
    CHECK(m->paused && strstr(run("info status"), "VM status: paused") != NULL);
    run("cont");
    CHECK(!m->paused);
    CHECK(strstr(run("info registers"), " x10/a0 ") != NULL);
    CHECK(strstr(run("info registers -a"), "CPU#1") != NULL);
    CHECK(strstr(run("cpu 5"), "invalid CPU index") != NULL);
    run("cpu 1");
    CHECK(strstr(run("info registers"), " mhartid  0000000000000001") != NULL);
    CHECK(strstr(run("replay_break 100"), "only in replay mode") != NULL);
    CHECK(strcmp(run("info replay"), "Record/replay is not active\r\n") == 0);
    run("system_reset");
    CHECK_EQ(m->monitor_request, TRACE_REQ_RESET);
    run("quit");
    CHECK_EQ(m->monitor_request, TRACE_REQ_QUIT);
    run("");
    run("   ");
    run("x/");
    run("info");
    run("help");

    hmp_destroy(mon);
    m->monitor = NULL;
    virt_destroy(m);
    chardev_close(&chr);
    unlink(path);
    if (failures)
        printf("test_hmp: %d failure(s)\n", failures);
    return failures != 0;
}
