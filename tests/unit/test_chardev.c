/* Chardev backends: -serial/-chardev parsing errors, file output, a unix
 * socket server serving one client after another, a socket client, and a
 * pty in both directions. */
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "host/chardev.h"

#include "unit/check.h"

static char err[1200];

static bool open_fails_with(const char *spec, const char *message)
{
    Chardev chr;
    err[0] = 0;
    bool ok = chardev_open(&chr, spec, "serial0", false, err, sizeof(err));
    if (ok) {
        chardev_close(&chr);
        return false;
    }
    return strstr(err, message) != NULL;
}

static bool definition_fails_with(const char *definition, const char *message)
{
    Chardev chr;
    err[0] = 0;
    bool ok = chardev_open_definition(&chr, definition, err, sizeof(err));
    if (ok) {
        chardev_close(&chr);
        return false;
    }
    return strstr(err, message) != NULL;
}

/* Polls until the chardev holds n input bytes (or a second passed). */
static void poll_for_input(Chardev *chr, size_t n)
{
    for (int i = 0; i < 100 && chardev_input_available(chr) < n; i++) {
        chardev_wait(chr, 10);
        chardev_poll(chr);
    }
}

static int unix_connect(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(addr.sun_path))
        return -1;
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static ssize_t read_with_timeout(int fd, char *buf, size_t size)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    if (poll(&p, 1, 1000) <= 0)
        return -1;
    return read(fd, buf, size);
}

static void test_parse_errors(void)
{
    CHECK(open_fails_with("vc", "backend 'vc' is not supported"));
    CHECK(open_fails_with("file:", "needs a path"));
    CHECK(open_fails_with("tcp:4444", "needs HOST:PORT"));
    CHECK(open_fails_with("tcp::99999,server,nowait", "not a port number"));
    CHECK(open_fails_with("tcp::4444,server,telnet", "'telnet' is not supported"));
    CHECK(open_fails_with("tcp::4444,server,wait=maybe", "use on or off"));
    CHECK(open_fails_with("unix:", "needs a path"));
    CHECK(definition_fails_with("socket,port=4444", "missing id"));
    CHECK(definition_fails_with("socket,id=a", "either path=PATH or port=N"));
    CHECK(definition_fails_with("socket,id=a,path=/x,port=1", "either path=PATH or port=N"));
    CHECK(definition_fails_with("file,id=a", "needs path="));
    CHECK(definition_fails_with("tty,id=a", "backend 'tty' is not supported"));
    CHECK(definition_fails_with("null,id=a,path=/x", "not supported by the null backend"));
    CHECK(definition_fails_with("", "needs a backend"));
}

static void test_null_and_file(const char *dir)
{
    Chardev chr;
    CHECK(chardev_open(&chr, "null", "serial0", false, err, sizeof(err)));
    CHECK(!chardev_has_input_source(&chr));
    chardev_write(&chr, (const uint8_t *)"x", 1); /* dropped */
    chardev_close(&chr);

    char path[512], spec[600], definition[600];
    snprintf(path, sizeof(path), "%s/out.txt", dir);
    snprintf(spec, sizeof(spec), "file:%s", path);
    CHECK(chardev_open(&chr, spec, "serial0", false, err, sizeof(err)));
    chardev_write(&chr, (const uint8_t *)"hello", 5);
    chardev_close(&chr);
    snprintf(definition, sizeof(definition), "file,id=log,path=%s", path);
    CHECK(chardev_open_definition(&chr, definition, err, sizeof(err)));
    CHECK(strcmp(chr.id, "log") == 0);
    chardev_write(&chr, (const uint8_t *)"again", 5);
    chardev_close(&chr);
    char buf[16] = { 0 };
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (f) {
        CHECK(fread(buf, 1, sizeof(buf) - 1, f) == 5);
        fclose(f);
    }
    CHECK(strcmp(buf, "again") == 0); /* truncated on open */
}

static void test_unix_server(const char *dir)
{
    char path[512], spec[600];
    snprintf(path, sizeof(path), "%s/serial.sock", dir);
    snprintf(spec, sizeof(spec), "unix:%s,server,nowait", path);
    Chardev chr;
    CHECK(chardev_open(&chr, spec, "serial1", false, err, sizeof(err)));
    CHECK(chardev_has_input_source(&chr));
    chardev_write(&chr, (const uint8_t *)"lost", 4); /* no client: dropped */

    for (int round = 0; round < 2; round++) {
        int client = unix_connect(path);
        CHECK(client >= 0);
        if (client < 0)
            break;
        char byte = (char)('a' + round);
        CHECK(write(client, &byte, 1) == 1);
        poll_for_input(&chr, 1);
        CHECK_EQ(chardev_input_available(&chr), 1);
        CHECK_EQ(chardev_input_pop(&chr), (uint8_t)byte);
        chardev_write(&chr, (const uint8_t *)"ok", 2);
        char buf[8] = { 0 };
        CHECK(read_with_timeout(client, buf, sizeof(buf)) == 2);
        CHECK(memcmp(buf, "ok", 2) == 0); /* "lost" never arrives */
        close(client);
        /* The server notices the hangup and is ready for the next one. */
        for (int i = 0; i < 100 && chr.in_fd >= 0; i++) {
            chardev_wait(&chr, 10);
            chardev_poll(&chr);
        }
        CHECK(chr.in_fd < 0);
        CHECK(chardev_has_input_source(&chr));
        chardev_write(&chr, (const uint8_t *)"gone", 4); /* no SIGPIPE, dropped */
    }

    /* A client mode chardev talking to this server. */
    snprintf(spec, sizeof(spec), "unix:%s", path);
    Chardev client;
    CHECK(chardev_open(&client, spec, "serial2", false, err, sizeof(err)));
    chardev_write(&client, (const uint8_t *)"z", 1);
    poll_for_input(&chr, 1);
    CHECK_EQ(chardev_input_pop(&chr), 'z');
    chardev_close(&client);

    chardev_close(&chr);
    struct stat st;
    CHECK(stat(path, &st) != 0); /* the socket file is removed */
}

static void test_pty(void)
{
    Chardev chr;
    CHECK(chardev_open(&chr, "pty", "serial0", false, err, sizeof(err)));
    if (chr.kind != CHARDEV_PTY)
        return;
    chardev_write(&chr, (const uint8_t *)"out", 3);
    char buf[8] = { 0 };
    CHECK(read_with_timeout(chr.pty_slave_fd, buf, sizeof(buf)) == 3);
    CHECK(memcmp(buf, "out", 3) == 0);
    CHECK(write(chr.pty_slave_fd, "in\n", 3) == 3);
    poll_for_input(&chr, 3);
    CHECK_EQ(chardev_input_available(&chr), 3); /* raw: \n stays \n, no echo */
    CHECK_EQ(chardev_input_pop(&chr), 'i');
    CHECK_EQ(chardev_input_pop(&chr), 'n');
    CHECK_EQ(chardev_input_pop(&chr), '\n');
    /* Nobody reads the slave: the guest's output must not block deja. */
    static uint8_t big[1 << 20];
    chardev_write(&chr, big, sizeof(big));
    chardev_close(&chr);
}

int main(void)
{
    char dir[] = "/tmp/deja-chardev.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_parse_errors();
    test_null_and_file(dir);
    test_unix_server(dir);
    test_pty();
    char command[600];
    snprintf(command, sizeof(command), "rm -rf %s", dir);
    if (system(command) != 0)
        printf("cannot remove %s\n", dir);
    return failures != 0;
}
