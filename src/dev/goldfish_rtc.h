/* Goldfish RTC at 0x101000 (IRQ 11), as on QEMU virt. Its time in ns is
 * base_ns (wall-clock time taken once at machine start by the board; it
 * will come through the replay log) + tick_offset (guest writes to TIME)
 * + the machine's virtual ns. The alarm fires at an exact virtual time. */
#ifndef DEJA_GOLDFISH_RTC_H
#define DEJA_GOLDFISH_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/device.h"
#include "dev/irq.h"
#include "replay/clock.h"

#define GOLDFISH_RTC_BASE 0x101000ull
#define GOLDFISH_RTC_SIZE 0x1000ull
#define GOLDFISH_RTC_IRQ 11

enum {
    GOLDFISH_RTC_TIME_LOW = 0x00,
    GOLDFISH_RTC_TIME_HIGH = 0x04,
    GOLDFISH_RTC_ALARM_LOW = 0x08,
    GOLDFISH_RTC_ALARM_HIGH = 0x0c,
    GOLDFISH_RTC_IRQ_ENABLED = 0x10,
    GOLDFISH_RTC_CLEAR_ALARM = 0x14,
    GOLDFISH_RTC_ALARM_STATUS = 0x18,
    GOLDFISH_RTC_CLEAR_INTERRUPT = 0x1c,
};

typedef struct GoldfishRtc {
    uint64_t base;
    uint32_t irq_number;
    VirtClock *clock;
    ClockTimerId timer;
    uint64_t base_ns;     /* host time at machine start */
    uint64_t tick_offset; /* added by guest writes to TIME_LOW/HIGH */
    uint64_t alarm_next;
    uint32_t time_high_latch; /* TIME_HIGH as latched by the TIME_LOW read */
    bool alarm_running, irq_pending, irq_enabled;
    IrqLine irq;
} GoldfishRtc;

extern const DeviceClass goldfish_rtc_class;

bool goldfish_rtc_init(GoldfishRtc *rtc, uint64_t base, uint32_t irq_number, IrqLine irq,
                       VirtClock *clock, uint64_t base_ns);
void goldfish_rtc_reset(GoldfishRtc *rtc);
uint64_t goldfish_rtc_now(const GoldfishRtc *rtc);
bool goldfish_rtc_read(void *opaque, uint64_t offset, int size, uint64_t *value);
bool goldfish_rtc_write(void *opaque, uint64_t offset, int size, uint64_t value);

#endif
