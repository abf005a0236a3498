/* SPDX-License-Identifier: Apache-2.0 */
/* A minimal test harness: CHECK macros record failures against the running test; the
 * runner prints each failure and a final "N passed, N failed" line. */
#ifndef RELO_TEST_H
#define RELO_TEST_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *name;
    void (*run)(void);
} relo_test_case_t;

typedef struct {
    const relo_test_case_t *cases;
    size_t count;
} relo_test_suite_t;

#define RELO_TEST_SUITE(name, ...)                                                                                     \
    static const relo_test_case_t name##_cases[] = {__VA_ARGS__};                                                      \
    const relo_test_suite_t name = {name##_cases, sizeof name##_cases / sizeof name##_cases[0]}

void relo_test_fail(const char *file, int line, const char *what);
void relo_test_fail_eq(const char *file, int line, const char *a, const char *b, long long va, long long vb);

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            relo_test_fail(__FILE__, __LINE__, #cond);                                                                 \
        }                                                                                                              \
    } while (0)

#define CHECK_EQ(a, b)                                                                                                 \
    do {                                                                                                               \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                                                \
        if (check_a_ != check_b_) {                                                                                    \
            relo_test_fail_eq(__FILE__, __LINE__, #a, #b, check_a_, check_b_);                                         \
        }                                                                                                              \
    } while (0)

/* A fixture written by make_fixtures.py, read once; tests must not modify it. */
uint8_t *relo_test_fixture(const char *name, uint32_t *size);

#endif /* RELO_TEST_H */
