/* deja-audio: a tiny static riscv64 Linux program for the audio test
 * (tests/e2e/audio_linux.sh, scenario "audio" of guest/init.sh). No libc:
 * raw system calls and the ALSA kernel ioctls on /dev/snd/pcmC0D0[cp]
 * (HW_PARAMS, PREPARE, READI_FRAMES / WRITEI_FRAMES, DRAIN), because
 * busybox has no arecord/aplay.
 *
 *   deja-audio capture SECONDS FILE   48 kHz stereo S16_LE to FILE; prints
 *                                     frames, RMS and xruns
 *   deja-audio play HZ SECONDS        plays a sine tone, 48 kHz stereo
 *
 * Built with riscv64-unknown-elf-gcc -nostdlib -static -ffreestanding. */
typedef unsigned long size_t;
typedef long ssize_t;
typedef unsigned int u32;
typedef unsigned long u64;

#define SYS_ioctl 29
#define SYS_openat 56
#define SYS_close 57
#define SYS_write 64
#define SYS_exit_group 94
#define AT_FDCWD (-100)
#define O_RDWR 2
#define O_WRONLY 1
#define O_CREAT 0100
#define O_TRUNC 01000
#define EPIPE 32

static long syscall6(long n, long a, long b, long c, long d)
{
    register long a7 __asm__("a7") = n;
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = b;
    register long a2 __asm__("a2") = c;
    register long a3 __asm__("a3") = d;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2), "r"(a3) : "memory");
    return a0;
}

static size_t slen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static void put(const char *s) { syscall6(SYS_write, 1, (long)s, (long)slen(s), 0); }

static void put_num(long v)
{
    char buf[24];
    int i = 23;
    int neg = v < 0;
    unsigned long u = neg ? (unsigned long)-v : (unsigned long)v;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (neg)
        buf[--i] = '-';
    put(buf + i);
}

static long parse_num(const char *s)
{
    long v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    return v;
}

static void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

static __attribute__((noreturn)) void die(const char *what, long err)
{
    put("deja-audio: ");
    put(what);
    put(" failed: ");
    put_num(err);
    put("\n");
    syscall6(SYS_exit_group, 1, 0, 0, 0);
    for (;;) {
    }
}

/* <sound/asound.h>, 64-bit layout (sizeof = 608). */
struct snd_interval {
    u32 min, max;
    u32 flags; /* openmin:1, openmax:1, integer:1, empty:1 */
};
struct snd_mask {
    u32 bits[8];
};
struct snd_pcm_hw_params {
    u32 flags;
    struct snd_mask masks[3];
    struct snd_mask mres[5];
    struct snd_interval intervals[12];
    struct snd_interval ires[9];
    u32 rmask, cmask, info, msbits, rate_num, rate_den;
    u64 fifo_size;
    unsigned char reserved[64];
};
struct snd_xferi {
    long result;
    void *buf;
    u64 frames;
};
_Static_assert(sizeof(struct snd_pcm_hw_params) == 608, "hw_params layout");

#define IOCTL_HW_PARAMS 0xc2604111u
#define IOCTL_PREPARE 0x4140u
#define IOCTL_DRAIN 0x4144u
#define IOCTL_WRITEI 0x40184150u
#define IOCTL_READI 0x80184151u

#define MASK_ACCESS 0
#define MASK_FORMAT 1
#define MASK_SUBFORMAT 2
#define I_CHANNELS 10
#define I_RATE 11
#define I_PERIOD_SIZE 13
#define I_PERIODS 15

#define RATE 48000
#define CHANNELS 2
#define PERIOD 1024

static int pcm_open(const char *path)
{
    long fd = syscall6(SYS_openat, AT_FDCWD, (long)path, O_RDWR, 0);
    if (fd < 0)
        die("open", fd);
    struct snd_pcm_hw_params p;
    memset(&p, 0, sizeof(p));
    for (int i = 0; i < 8; i++)
        memset(&p.masks[i], 0xff, sizeof(p.masks[i])); /* masks and mres: any */
    for (int i = 0; i < 12; i++)
        p.intervals[i].max = 0xffffffffu;
    memset(&p.masks[MASK_ACCESS], 0, sizeof(struct snd_mask));
    p.masks[MASK_ACCESS].bits[0] = 1u << 3; /* RW_INTERLEAVED */
    memset(&p.masks[MASK_FORMAT], 0, sizeof(struct snd_mask));
    p.masks[MASK_FORMAT].bits[0] = 1u << 2; /* S16_LE */
    p.intervals[I_CHANNELS - 8].min = p.intervals[I_CHANNELS - 8].max = CHANNELS;
    p.intervals[I_RATE - 8].min = p.intervals[I_RATE - 8].max = RATE;
    p.intervals[I_PERIOD_SIZE - 8].min = p.intervals[I_PERIOD_SIZE - 8].max = PERIOD;
    p.intervals[I_PERIODS - 8].min = p.intervals[I_PERIODS - 8].max = 4;
    p.rmask = 0xffffffffu;
    long r = syscall6(SYS_ioctl, fd, IOCTL_HW_PARAMS, (long)&p, 0);
    if (r < 0)
        die("HW_PARAMS", r);
    r = syscall6(SYS_ioctl, fd, IOCTL_PREPARE, 0, 0);
    if (r < 0)
        die("PREPARE", r);
    return (int)fd;
}

static short samples[PERIOD * CHANNELS];

static u64 isqrt(u64 v)
{
    u64 r = 0, bit = 1ul << 62;
    while (bit > v)
        bit >>= 2;
    while (bit) {
        if (v >= r + bit) {
            v -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    return r;
}

static int capture(long seconds, const char *file)
{
    int fd = pcm_open("/dev/snd/pcmC0D0c");
    long out = syscall6(SYS_openat, AT_FDCWD, (long)file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0)
        die("open output", out);
    long want = seconds * RATE, got = 0, xruns = 0;
    u64 squares = 0;
    while (got < want) {
        struct snd_xferi x = { 0, samples, PERIOD };
        long r = syscall6(SYS_ioctl, fd, IOCTL_READI, (long)&x, 0);
        if (r == -EPIPE) {
            xruns++;
            if (syscall6(SYS_ioctl, fd, IOCTL_PREPARE, 0, 0) < 0)
                die("PREPARE after xrun", r);
            continue;
        }
        if (r < 0)
            die("READI_FRAMES", r);
        long frames = x.result;
        for (long i = 0; i < frames * CHANNELS; i++)
            squares += (u64)((long)samples[i] * samples[i]);
        syscall6(SYS_write, out, (long)samples, frames * CHANNELS * 2, 0);
        got += frames;
    }
    syscall6(SYS_close, out, 0, 0, 0);
    syscall6(SYS_close, fd, 0, 0, 0);
    put("audio: captured ");
    put_num(got);
    put(" frames, rms ");
    put_num((long)isqrt(squares / (u64)(got * CHANNELS)));
    put(", xruns ");
    put_num(xruns);
    put("\n");
    return 0;
}

static int play(long hz, long seconds)
{
    int fd = pcm_open("/dev/snd/pcmC0D0p");
    /* Sine by the recurrence y[n] = 2 cos(w) y[n-1] - y[n-2]. */
    double w = 2 * 3.14159265358979323846 * (double)hz / RATE, w2 = w * w;
    double c = 1 - w2 / 2 + w2 * w2 / 24 - w2 * w2 * w2 / 720 + w2 * w2 * w2 * w2 / 40320;
    double s = w - w * w2 / 6 + w * w2 * w2 / 120 - w * w2 * w2 * w2 / 5040;
    double y1 = 0, y2 = -s; /* sin(0), sin(-w) */
    long want = seconds * RATE, done = 0, xruns = 0;
    while (done < want) {
        for (int i = 0; i < PERIOD; i++) {
            double y = 2 * c * y1 - y2;
            y2 = y1;
            y1 = y;
            short v = (short)(y1 * 12000);
            samples[2 * i] = samples[2 * i + 1] = v;
        }
        long off = 0;
        while (off < PERIOD) {
            struct snd_xferi x = { 0, samples + off * CHANNELS, (u64)(PERIOD - off) };
            long r = syscall6(SYS_ioctl, fd, IOCTL_WRITEI, (long)&x, 0);
            if (r == -EPIPE) {
                xruns++;
                syscall6(SYS_ioctl, fd, IOCTL_PREPARE, 0, 0);
                continue;
            }
            if (r < 0)
                die("WRITEI_FRAMES", r);
            off += x.result;
        }
        done += PERIOD;
    }
    syscall6(SYS_ioctl, fd, IOCTL_DRAIN, 0, 0);
    syscall6(SYS_close, fd, 0, 0, 0);
    put("audio: played ");
    put_num(done);
    put(" frames of ");
    put_num(hz);
    put(" Hz, xruns ");
    put_num(xruns);
    put("\n");
    return 0;
}

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static int main(int argc, char **argv)
{
    if (argc == 4 && streq(argv[1], "capture"))
        return capture(parse_num(argv[2]), argv[3]);
    if (argc == 4 && streq(argv[1], "play"))
        return play(parse_num(argv[2]), parse_num(argv[3]));
    put("usage: deja-audio capture SECONDS FILE | play HZ SECONDS\n");
    return 2;
}

__attribute__((used)) void start_c(long *sp)
{
    int argc = (int)sp[0];
    char **argv = (char **)(sp + 1);
    syscall6(SYS_exit_group, main(argc, argv), 0, 0, 0);
}

__asm__(".globl _start\n"
        "_start:\n"
        "  .option push\n"
        "  .option norelax\n"
        "  lla gp, __global_pointer$\n"
        "  .option pop\n"
        "  mv a0, sp\n"
        "  andi sp, sp, -16\n"
        "  call start_c\n");
