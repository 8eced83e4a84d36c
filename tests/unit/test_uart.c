/* 16550 UART: THR/LSR, DLAB, FIFO, IIR priorities and interrupt line. */
#include <stdio.h>
#include <string.h>

#include "dev/uart16550.h"

#include "unit/check.h"


static bool irq_level;
static void irq_setter(void *opaque, int n, bool level)
{
    irq_level = level;
}
static char out[64];
static int out_len;
static void transmit(void *opaque, uint8_t byte)
{
    if (out_len < (int)sizeof(out))
        out[out_len++] = (char)byte;
}

static uint8_t rd(Uart16550 *u, int reg)
{
    uint64_t v = 0xff;
    uart16550_read(u, (uint64_t)reg, 1, &v);
    return (uint8_t)v;
}

static void wr(Uart16550 *u, int reg, uint8_t v)
{
    uart16550_write(u, (uint64_t)reg, 1, v);
}

int main(void)
{
    Uart16550 u;
    uart16550_init(&u, UART0_BASE, UART0_IRQ, (IrqLine){ irq_setter, NULL, 10 }, transmit, NULL);

    CHECK(rd(&u, 5) == 0x60); /* THRE | TEMT */
    CHECK(rd(&u, 2) == 0x01); /* no interrupt, FIFO off */
    wr(&u, 0, 'h');
    wr(&u, 0, 'i');
    CHECK(out_len == 2 && memcmp(out, "hi", 2) == 0);
    CHECK(!irq_level);

    /* DLAB switches registers 0/1 to the divisor */
    wr(&u, 3, 0x83);
    wr(&u, 0, 0x01);
    wr(&u, 1, 0x02);
    CHECK(rd(&u, 0) == 0x01 && rd(&u, 1) == 0x02);
    wr(&u, 3, 0x03);
    CHECK(out_len == 2);
    CHECK(rd(&u, 1) == 0x00 && rd(&u, 3) == 0x03);

    /* THRE interrupt: enabling it with THR empty raises it; IIR read clears */
    wr(&u, 1, 0x02);
    CHECK(irq_level);
    CHECK(rd(&u, 2) == 0x02);
    CHECK(!irq_level);
    CHECK(rd(&u, 2) == 0x01);
    wr(&u, 0, 'x');
    CHECK(irq_level);
    wr(&u, 1, 0x00);
    CHECK(!irq_level);

    /* receive: without FIFO one byte of room; with FIFO 16 */
    CHECK(uart16550_can_receive(&u) == 1);
    wr(&u, 2, 0x07); /* enable + clear FIFOs */
    CHECK((rd(&u, 2) & 0xc0) == 0xc0);
    CHECK(uart16550_can_receive(&u) == 16);
    wr(&u, 1, 0x01); /* RDA */
    uart16550_receive(&u, 'a');
    uart16550_receive(&u, 'b');
    CHECK(irq_level);
    CHECK((rd(&u, 2) & 0x0f) == 0x04);
    CHECK(rd(&u, 5) & 0x01);
    CHECK(rd(&u, 0) == 'a');
    CHECK(rd(&u, 0) == 'b');
    CHECK(!(rd(&u, 5) & 0x01));
    CHECK(!irq_level);

    /* overrun sets OE, reported once as a line-status interrupt */
    for (int i = 0; i < 17; i++)
        uart16550_receive(&u, (uint8_t)i);
    wr(&u, 1, 0x05);
    CHECK((rd(&u, 2) & 0x0f) == 0x06);
    CHECK(rd(&u, 5) & 0x02);
    CHECK(!(rd(&u, 5) & 0x02));
    wr(&u, 2, 0x03); /* clear RX */
    CHECK(!(rd(&u, 5) & 0x01) && !irq_level);

    /* loopback: transmitted bytes come back, nothing goes out */
    int before = out_len;
    wr(&u, 4, 0x10);
    wr(&u, 0, 'L');
    CHECK(out_len == before && rd(&u, 0) == 'L');
    CHECK(uart16550_can_receive(&u) == 0);
    wr(&u, 4, 0x00);

    /* scratch; garbage offsets read 0 and writes are ignored */
    wr(&u, 7, 0x5a);
    CHECK(rd(&u, 7) == 0x5a);
    CHECK(rd(&u, 0x80) == 0);
    wr(&u, 0xff, 0xff);

    if (failures)
        printf("test_uart: %d failure(s)\n", failures);
    return failures != 0;
}
