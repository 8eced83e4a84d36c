/* Goldfish RTC (goldfish_rtc.h), after the Android goldfish RTC spec
 * (GOLDFISH-VIRTUAL-HARDWARE.TXT) and QEMU's behaviour. */
#include "dev/goldfish_rtc.h"

#include <libfdt.h>
#include <string.h>

uint64_t goldfish_rtc_now(const GoldfishRtc *rtc)
{
    return rtc->base_ns + rtc->tick_offset + clock_now_ns(rtc->clock);
}

static void rtc_update_irq(GoldfishRtc *rtc)
{
    irq_set(rtc->irq, rtc->irq_pending && rtc->irq_enabled);
}

static void rtc_alarm_fired(void *opaque)
{
    GoldfishRtc *rtc = opaque;
    rtc->alarm_running = false;
    rtc->irq_pending = true;
    rtc_update_irq(rtc);
}

static void rtc_arm_alarm(GoldfishRtc *rtc)
{
    uint64_t now = goldfish_rtc_now(rtc);
    if (rtc->alarm_next <= now) {
        clock_timer_disarm(rtc->clock, rtc->timer);
        rtc_alarm_fired(rtc);
        return;
    }
    rtc->alarm_running = true;
    /* An alarm set centuries ahead (the guest controls both the RTC time
     * and the alarm) must not wrap the deadline into the past. */
    uint64_t clock_now = clock_now_ns(rtc->clock);
    uint64_t delay = rtc->alarm_next - now;
    uint64_t deadline = delay >= CLOCK_NEVER - clock_now ? CLOCK_NEVER : clock_now + delay;
    clock_timer_arm_ns(rtc->clock, rtc->timer, deadline);
}

bool goldfish_rtc_init(GoldfishRtc *rtc, uint64_t base, uint32_t irq_number, IrqLine irq,
                       VirtClock *clock, uint64_t base_ns)
{
    memset(rtc, 0, sizeof(*rtc));
    rtc->base = base;
    rtc->irq_number = irq_number;
    rtc->irq = irq;
    rtc->clock = clock;
    rtc->base_ns = base_ns;
    rtc->timer = clock_timer_new(clock, rtc_alarm_fired, rtc);
    return rtc->timer >= 0;
}

void goldfish_rtc_reset(GoldfishRtc *rtc)
{
    /* The wall-clock offset survives a reset (as a real RTC would). */
    clock_timer_disarm(rtc->clock, rtc->timer);
    rtc->alarm_next = 0;
    rtc->time_high_latch = 0;
    rtc->alarm_running = rtc->irq_pending = rtc->irq_enabled = false;
    rtc_update_irq(rtc);
}

bool goldfish_rtc_read(void *opaque, uint64_t offset, int size, uint64_t *value)
{
    GoldfishRtc *rtc = opaque;
    if (size != 4)
        return false;
    uint64_t v = 0;
    switch (offset) {
    case GOLDFISH_RTC_TIME_LOW: {
        /* Reading TIME_LOW latches TIME_HIGH so the pair is consistent. */
        uint64_t now = goldfish_rtc_now(rtc);
        rtc->time_high_latch = (uint32_t)(now >> 32);
        v = (uint32_t)now;
        break;
    }
    case GOLDFISH_RTC_TIME_HIGH:
        v = rtc->time_high_latch;
        break;
    case GOLDFISH_RTC_ALARM_LOW:
        v = (uint32_t)rtc->alarm_next;
        break;
    case GOLDFISH_RTC_ALARM_HIGH:
        v = (uint32_t)(rtc->alarm_next >> 32);
        break;
    case GOLDFISH_RTC_IRQ_ENABLED:
        v = rtc->irq_enabled;
        break;
    case GOLDFISH_RTC_ALARM_STATUS:
        v = rtc->alarm_running;
        break;
    default:
        break;
    }
    *value = v;
    return true;
}

bool goldfish_rtc_write(void *opaque, uint64_t offset, int size, uint64_t value)
{
    GoldfishRtc *rtc = opaque;
    if (size != 4)
        return false;
    uint32_t v = (uint32_t)value;
    uint64_t now = goldfish_rtc_now(rtc);
    switch (offset) {
    case GOLDFISH_RTC_TIME_LOW:
        rtc->tick_offset += ((now & ~0xffffffffull) | v) - now;
        break;
    case GOLDFISH_RTC_TIME_HIGH:
        rtc->tick_offset += (((uint64_t)v << 32) | (uint32_t)now) - now;
        break;
    case GOLDFISH_RTC_ALARM_LOW:
        /* Writing the low half arms the alarm (the driver writes HIGH first). */
        rtc->alarm_next = (rtc->alarm_next & ~0xffffffffull) | v;
        rtc_arm_alarm(rtc);
        break;
    case GOLDFISH_RTC_ALARM_HIGH:
        rtc->alarm_next = ((uint64_t)v << 32) | (uint32_t)rtc->alarm_next;
        break;
    case GOLDFISH_RTC_IRQ_ENABLED:
        rtc->irq_enabled = v & 1;
        rtc_update_irq(rtc);
        break;
    case GOLDFISH_RTC_CLEAR_ALARM:
        clock_timer_disarm(rtc->clock, rtc->timer);
        rtc->alarm_running = false;
        break;
    case GOLDFISH_RTC_CLEAR_INTERRUPT:
        rtc->irq_pending = false;
        rtc_update_irq(rtc);
        break;
    default:
        break;
    }
    return true;
}

static void goldfish_rtc_reset_opaque(void *state)
{
    goldfish_rtc_reset(state);
}

static int goldfish_rtc_fdt_node(void *state, DevFdtContext *ctx)
{
    GoldfishRtc *rtc = state;
    int err;
    if ((err = dev_fdt_begin_node(ctx, "rtc", rtc->base)) ||
        (err = dev_fdt_plic_irq(ctx, rtc->irq_number)) ||
        (err = dev_fdt_reg(ctx, rtc->base, GOLDFISH_RTC_SIZE)) ||
        (err = fdt_property_string(ctx->fdt, "compatible", "google,goldfish-rtc")))
        return err;
    return fdt_end_node(ctx->fdt);
}

static void goldfish_rtc_save(void *state, StateWriter *w)
{
    const GoldfishRtc *rtc = state;
    state_put_u64(w, rtc->base_ns);
    state_put_u64(w, rtc->tick_offset);
    state_put_u64(w, rtc->alarm_next);
    state_put_u32(w, rtc->time_high_latch);
    state_put_bool(w, rtc->alarm_running);
    state_put_bool(w, rtc->irq_pending);
    state_put_bool(w, rtc->irq_enabled);
}

static bool goldfish_rtc_load(void *state, StateReader *r)
{
    GoldfishRtc *rtc = state;
    uint64_t base_ns = state_get_u64(r);
    uint64_t tick_offset = state_get_u64(r);
    uint64_t alarm_next = state_get_u64(r);
    uint32_t latch = state_get_u32(r);
    bool alarm_running = state_get_bool(r);
    bool irq_pending = state_get_bool(r);
    bool irq_enabled = state_get_bool(r);
    if (r->failed)
        return false;
    rtc->base_ns = base_ns;
    rtc->tick_offset = tick_offset;
    rtc->alarm_next = alarm_next;
    rtc->time_high_latch = latch;
    rtc->alarm_running = alarm_running;
    rtc->irq_pending = irq_pending;
    rtc->irq_enabled = irq_enabled;
    return true;
}

const DeviceClass goldfish_rtc_class = {
    .name = "goldfish_rtc",
    .read = goldfish_rtc_read,
    .write = goldfish_rtc_write,
    .reset = goldfish_rtc_reset_opaque,
    .fdt_node = goldfish_rtc_fdt_node,
    .save = goldfish_rtc_save,
    .load = goldfish_rtc_load,
};
