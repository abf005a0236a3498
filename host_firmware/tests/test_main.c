/* SPDX-License-Identifier: Apache-2.0 */
/* Runs every suite. usage: relo_tests FIXTURE_DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relo_test.h"

extern const relo_test_suite_t suite_frame, suite_protocol, suite_package, suite_verify, suite_journal,
    suite_loader, suite_installer, suite_device, suite_trial;

static const relo_test_suite_t *const suites[] = {
    &suite_frame, &suite_protocol, &suite_package, &suite_verify, &suite_journal,
    &suite_loader, &suite_installer, &suite_device, &suite_trial,
};

static const char *fixture_dir;
static const char *current_test;
static int current_failures;
/* Fixtures are read once and kept until the end: tests may not modify them. */
typedef struct {
    char name[64];
    uint8_t *data;
    uint32_t size;
} fixture_t;
static fixture_t fixtures[32];
static size_t fixture_count;

void relo_test_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "FAIL %s: %s:%d: %s\n", current_test, file, line, what);
    current_failures++;
}

void relo_test_fail_eq(const char *file, int line, const char *a, const char *b, long long va, long long vb)
{
    fprintf(stderr, "FAIL %s: %s:%d: %s == %s (%lld != %lld, 0x%llx != 0x%llx)\n", current_test, file, line, a, b, va,
            vb, (unsigned long long)va, (unsigned long long)vb);
    current_failures++;
}

static uint8_t *read_file(const char *name, uint32_t *size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", fixture_dir, name);
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "cannot open fixture %s\n", path);
        exit(2);
    }
    fseek(file, 0, SEEK_END);
    long length = ftell(file);
    fseek(file, 0, SEEK_SET);
    uint8_t *data = malloc((size_t)length + 1);
    if (data == NULL || fread(data, 1, (size_t)length, file) != (size_t)length) {
        fprintf(stderr, "cannot read fixture %s\n", path);
        exit(2);
    }
    fclose(file);
    *size = (uint32_t)length;
    return data;
}

uint8_t *relo_test_fixture(const char *name, uint32_t *size)
{
    for (size_t i = 0; i < fixture_count; i++) {
        if (strcmp(fixtures[i].name, name) == 0) {
            *size = fixtures[i].size;
            return fixtures[i].data;
        }
    }
    if (fixture_count == sizeof fixtures / sizeof fixtures[0] || strlen(name) >= sizeof fixtures[0].name) {
        fprintf(stderr, "too many fixtures\n");
        exit(2);
    }
    fixture_t *fixture = &fixtures[fixture_count++];
    strcpy(fixture->name, name);
    fixture->data = read_file(name, &fixture->size);
    *size = fixture->size;
    return fixture->data;
}

static void free_fixtures(void)
{
    for (size_t i = 0; i < fixture_count; i++) {
        free(fixtures[i].data);
    }
    fixture_count = 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FIXTURE_DIR [TEST_NAME_SUBSTRING]\n", argv[0]);
        return 2;
    }
    fixture_dir = argv[1];
    int passed = 0;
    int failed = 0;
    for (size_t s = 0; s < sizeof suites / sizeof suites[0]; s++) {
        for (size_t i = 0; i < suites[s]->count; i++) {
            const relo_test_case_t *test = &suites[s]->cases[i];
            if (argc > 2 && strstr(test->name, argv[2]) == NULL) {
                continue;
            }
            current_test = test->name;
            current_failures = 0;
            test->run();
            if (current_failures == 0) {
                passed++;
            } else {
                failed++;
            }
        }
    }
    free_fixtures();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
