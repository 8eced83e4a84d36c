/* The unit tests' shared checks: each failed check prints one line with
 * its place and expression and counts a failure; main() returns
 * `failures != 0`. */
#ifndef DEJA_TEST_CHECK_H
#define DEJA_TEST_CHECK_H

#include <stdint.h>
#include <stdio.h>

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                                 \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                                           \
        if (a_ != b_) {                                                                            \
            printf("FAIL %s:%d: %s == %s (0x%llx != 0x%llx)\n", __FILE__, __LINE__, #a, #b,        \
                   (unsigned long long)a_, (unsigned long long)b_);                                \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#endif
