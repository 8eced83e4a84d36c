/*
 * deja-bench: a CPU-bound bare-metal benchmark in the spirit of CoreMark
 * (our own code): linked-list search/reverse/merge sort, integer matrix
 * multiply, a number-parsing state machine and bitwise CRCs, chained so
 * that each kernel feeds the next and nothing can be folded away.
 *
 * Output on the virt board's UART, then exit through the sifive_test finisher:
 *   deja-bench: iterations N checksum 0xXXXXXXXX instret N
 * instret is minstret at the end; it is exact on QEMU with -icount shift=0,sleep=off
 * (with sleep on, QEMU adds idle-time warps to it).
 */
#include <stddef.h>
#include <stdint.h>

#ifndef ITERATIONS
#define ITERATIONS 6000
#endif

#define UART_BASE 0x10000000UL
#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_THR_EMPTY 0x20
#define FINISHER_BASE 0x100000UL
#define FINISHER_PASS 0x5555

#define LIST_NODES 256
#define MATRIX_SIZE 16
#define TEXT_LENGTH 512

/* gcc may turn loops into calls to these even when freestanding. */
void *memset(void *destination, int value, size_t length)
{
    unsigned char *bytes = destination;
    while (length--)
        *bytes++ = (unsigned char)value;
    return destination;
}

void *memcpy(void *destination, const void *source, size_t length)
{
    unsigned char *to = destination;
    const unsigned char *from = source;
    while (length--)
        *to++ = *from++;
    return destination;
}

static void uart_putc(char c)
{
    volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
    while (!(uart[UART_LSR] & UART_LSR_THR_EMPTY))
        ;
    uart[UART_THR] = (uint8_t)c;
}

static void uart_puts(const char *text)
{
    while (*text)
        uart_putc(*text++);
}

static void uart_put_decimal(uint64_t value)
{
    char digits[24];
    int count = 0;
    do {
        digits[count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    while (count)
        uart_putc(digits[--count]);
}

static void uart_put_hex32(uint32_t value)
{
    uart_puts("0x");
    for (int shift = 28; shift >= 0; shift -= 4)
        uart_putc("0123456789abcdef"[(value >> shift) & 0xf]);
}

void __attribute__((noreturn)) bench_exit(void)
{
    *(volatile uint32_t *)FINISHER_BASE = FINISHER_PASS;
    for (;;)
        __asm__ volatile("wfi");
}

static uint32_t random_state = 0x2545f491;

static uint32_t random_next(void)
{
    /* xorshift32: cheap and fully deterministic */
    random_state ^= random_state << 13;
    random_state ^= random_state >> 17;
    random_state ^= random_state << 5;
    return random_state;
}

/* ---- CRC (bitwise, so it is branch heavy) ---- */

static uint16_t crc16_update(uint16_t crc, uint8_t byte)
{
    crc ^= byte;
    for (int bit = 0; bit < 8; bit++)
        crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xa001) : (uint16_t)(crc >> 1);
    return crc;
}

static uint16_t crc16_word(uint16_t crc, uint32_t word)
{
    for (int i = 0; i < 4; i++)
        crc = crc16_update(crc, (uint8_t)(word >> (8 * i)));
    return crc;
}

static uint32_t crc32_buffer(uint32_t crc, const uint8_t *data, size_t length)
{
    crc = ~crc;
    for (size_t i = 0; i < length; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
    }
    return ~crc;
}

/* ---- linked list ---- */

struct list_node {
    struct list_node *next;
    int32_t key;
    int32_t value;
};

static struct list_node list_pool[LIST_NODES];

static struct list_node *list_build(void)
{
    struct list_node *head = NULL;
    for (int i = LIST_NODES - 1; i >= 0; i--) {
        list_pool[i].key = (int32_t)(random_next() & 0xffff);
        list_pool[i].value = i;
        list_pool[i].next = head;
        head = &list_pool[i];
    }
    return head;
}

static struct list_node *list_reverse(struct list_node *head)
{
    struct list_node *previous = NULL;
    while (head) {
        struct list_node *next = head->next;
        head->next = previous;
        previous = head;
        head = next;
    }
    return previous;
}

static int list_compare(const struct list_node *a, const struct list_node *b, int by_key)
{
    return by_key ? a->key - b->key : a->value - b->value;
}

/* Bottom-up merge sort on the list; stable, no recursion. */
static struct list_node *list_sort(struct list_node *head, int by_key)
{
    for (int width = 1;; width *= 2) {
        struct list_node *remaining = head, *tail = NULL;
        int merges = 0;
        head = NULL;
        while (remaining) {
            merges++;
            struct list_node *left = remaining, *right = remaining;
            int left_size = 0, right_size = width;
            while (left_size < width && right) {
                left_size++;
                right = right->next;
            }
            while (left_size > 0 || (right_size > 0 && right)) {
                struct list_node *taken;
                if (left_size == 0) {
                    taken = right;
                    right = right->next;
                    right_size--;
                } else if (right_size == 0 || !right || list_compare(left, right, by_key) <= 0) {
                    taken = left;
                    left = left->next;
                    left_size--;
                } else {
                    taken = right;
                    right = right->next;
                    right_size--;
                }
                if (tail)
                    tail->next = taken;
                else
                    head = taken;
                tail = taken;
            }
            remaining = right;
        }
        tail->next = NULL;
        if (merges <= 1)
            return head;
    }
}

static uint16_t list_work(struct list_node **list, uint16_t crc, uint32_t seed)
{
    struct list_node *head = *list;
    /* searches: walk to the first node with a matching low key byte */
    for (int search = 0; search < 8; search++) {
        int32_t wanted = (int32_t)((seed + (uint32_t)search * 37) & 0xff);
        int position = 0;
        struct list_node *node = head;
        while (node && (node->key & 0xff) != wanted) {
            node = node->next;
            position++;
        }
        crc = crc16_word(crc, node ? (uint32_t)(node->value + position) : (uint32_t)position);
    }
    head = list_sort(head, 1);
    for (struct list_node *node = head; node; node = node->next)
        crc = crc16_update(crc, (uint8_t)node->key);
    head = list_reverse(head);
    /* perturb keys so the next sort has real work to do */
    int index = 0;
    for (struct list_node *node = head; node; node = node->next, index++)
        if ((index & 7) == (int)(seed & 7))
            node->key ^= (int32_t)(seed & 0xfff);
    head = list_sort(head, 0);
    *list = head;
    return crc16_word(crc, (uint32_t)head->key);
}

/* ---- matrix ---- */

static int32_t matrix_a[MATRIX_SIZE][MATRIX_SIZE];
static int32_t matrix_b[MATRIX_SIZE][MATRIX_SIZE];
static int32_t matrix_c[MATRIX_SIZE][MATRIX_SIZE];

static void matrix_init(void)
{
    for (int i = 0; i < MATRIX_SIZE; i++)
        for (int j = 0; j < MATRIX_SIZE; j++) {
            matrix_a[i][j] = (int32_t)(random_next() & 0x3ff) - 512;
            matrix_b[i][j] = (int32_t)(random_next() & 0x3ff) - 512;
        }
}

static uint16_t matrix_work(uint16_t crc, uint32_t seed)
{
    int32_t offset = (int32_t)(seed & 0x1f);
    for (int i = 0; i < MATRIX_SIZE; i++)
        for (int j = 0; j < MATRIX_SIZE; j++) {
            int32_t sum = 0;
            for (int k = 0; k < MATRIX_SIZE; k++)
                sum += matrix_a[i][k] * (matrix_b[k][j] + offset);
            matrix_c[i][j] = sum;
        }
    uint32_t fold = 0;
    for (int i = 0; i < MATRIX_SIZE; i++)
        for (int j = 0; j < MATRIX_SIZE; j++) {
            int32_t value = matrix_c[i][j];
            /* keep the inputs bounded but dependent on the result */
            matrix_a[i][j] = ((value >> 3) & 0x3ff) - 512;
            fold = (fold << 1 | fold >> 31) ^ (uint32_t)value;
        }
    return crc16_word(crc, fold);
}

/* ---- state machine: classify comma-separated numbers ---- */

enum parse_state {
    STATE_START,
    STATE_INTEGER,
    STATE_SIGN,
    STATE_FRACTION,
    STATE_EXPONENT,
    STATE_EXPONENT_SIGN,
    STATE_SCIENTIFIC,
    STATE_INVALID,
    STATE_COUNT
};

static uint8_t text[TEXT_LENGTH];

static void text_generate(uint32_t seed)
{
    static const char alphabet[] = "0123456789012345678,,,.-+eEx";
    random_state ^= seed;
    for (int i = 0; i < TEXT_LENGTH; i++)
        text[i] = (uint8_t)alphabet[random_next() % (sizeof alphabet - 1)];
}

static int is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static enum parse_state parse_step(enum parse_state state, uint8_t c)
{
    switch (state) {
    case STATE_START:
        if (is_digit(c))
            return STATE_INTEGER;
        if (c == '+' || c == '-')
            return STATE_SIGN;
        if (c == '.')
            return STATE_FRACTION;
        return STATE_INVALID;
    case STATE_SIGN:
        if (is_digit(c))
            return STATE_INTEGER;
        if (c == '.')
            return STATE_FRACTION;
        return STATE_INVALID;
    case STATE_INTEGER:
        if (is_digit(c))
            return STATE_INTEGER;
        if (c == '.')
            return STATE_FRACTION;
        if (c == 'e' || c == 'E')
            return STATE_EXPONENT;
        return STATE_INVALID;
    case STATE_FRACTION:
        if (is_digit(c))
            return STATE_FRACTION;
        if (c == 'e' || c == 'E')
            return STATE_EXPONENT;
        return STATE_INVALID;
    case STATE_EXPONENT:
        if (c == '+' || c == '-')
            return STATE_EXPONENT_SIGN;
        if (is_digit(c))
            return STATE_SCIENTIFIC;
        return STATE_INVALID;
    case STATE_EXPONENT_SIGN:
        return is_digit(c) ? STATE_SCIENTIFIC : STATE_INVALID;
    case STATE_SCIENTIFIC:
        return is_digit(c) ? STATE_SCIENTIFIC : STATE_INVALID;
    default:
        return STATE_INVALID;
    }
}

static uint16_t state_machine_work(uint16_t crc, uint32_t seed)
{
    uint32_t final_counts[STATE_COUNT] = { 0 };
    uint32_t transitions = 0;
    enum parse_state state = STATE_START;
    for (int i = 0; i < TEXT_LENGTH; i++) {
        uint8_t c = text[i];
        if (c == ',') {
            final_counts[state]++;
            state = STATE_START;
            continue;
        }
        enum parse_state next = parse_step(state, c);
        transitions += next != state;
        state = next;
    }
    final_counts[state]++;
    for (int i = 0; i < STATE_COUNT; i++)
        crc = crc16_word(crc, final_counts[i]);
    /* mutate the text a little so the next pass differs */
    text[seed % TEXT_LENGTH] = (uint8_t)('0' + seed % 10);
    text[(seed * 7) % TEXT_LENGTH] = ',';
    return crc16_word(crc, transitions);
}

static uint64_t read_instret(void)
{
    uint64_t value;
    __asm__ volatile("csrr %0, minstret" : "=r"(value));
    return value;
}

int main(void)
{
    struct list_node *list = list_build();
    matrix_init();
    text_generate(0x1234);
    uint16_t crc = 0;
    uint32_t crc32 = 0;
    for (uint32_t iteration = 0; iteration < ITERATIONS; iteration++) {
        crc = list_work(&list, crc, iteration ^ crc);
        crc = matrix_work(crc, iteration + crc);
        crc = state_machine_work(crc, iteration * 31 + crc);
        crc32 = crc32_buffer(crc32 ^ crc, text, 64);
    }
    uint32_t checksum = (uint32_t)crc << 16 ^ crc32;
    uint64_t instret = read_instret();
    uart_puts("deja-bench: iterations ");
    uart_put_decimal(ITERATIONS);
    uart_puts(" checksum ");
    uart_put_hex32(checksum);
    uart_puts(" instret ");
    uart_put_decimal(instret);
    uart_puts("\n");
    return 0;
}
