/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the device-side package parser, compatibility check, signature and
 * digest verification and the relocator, on arbitrary bytes taken as a whole package.
 * The signature will almost never verify, so the relocator is also run on every package
 * that parses: it must treat its table as hostile even when signed. */
#include <stdint.h>
#include <string.h>

#include "relo/port_board.h"
#include "relo/relo_compat.h"
#include "relo/relo_loader.h"
#include "relo/relo_package.h"
#include "relo/relo_reader.h"
#include "relo/relo_trusted_key.h"
#include "relo/relo_verify.h"

#define MAX_RAM_IMAGE (1u << 20) /* larger images are refused by compat on every board */

static void relocate_into_image(const relo_package_t *package, const relo_reader_t *bytes)
{
    static uint8_t image[MAX_RAM_IMAGE]; /* static, as the firmware's model RAM: no heap growth */
    uint32_t bad_entry = 0;
    (void)relo_loader_relocate(package, bytes, 0, 0, &bad_entry); /* check-only pass */
    uint32_t image_size = relo_package_ram_image_size(package);
    if (image_size == 0 || image_size > MAX_RAM_IMAGE ||
        package->segments[package->data_index].size > image_size) {
        return;
    }
    memset(image, 0, image_size);
    const relo_segment_t *data = &package->segments[package->data_index];
    if (relo_reader_read(bytes, data->offset, image, data->size) == 0) {
        relo_reloc_bases_t bases = {0x1000u, 0x200000u, 0x20100000u};
        (void)relo_loader_relocate(package, bytes, image, &bases, &bad_entry);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 0xFFFFFFFFu) {
        return 0;
    }
    uint32_t head_size = relo_package_head_size(data, (uint32_t)size);
    if (head_size == 0 || head_size > size) {
        return 0;
    }
    static relo_package_t package;
    memset(&package, 0, sizeof package);
    if (relo_package_parse(data, head_size, &package) != RELO_STATUS_OK) {
        return 0;
    }
    uint32_t detail = 0;
    (void)relo_compat_check(&package, relo_board_info(), 0x100000u, &detail);
    relo_reader_t bytes = relo_reader_from_buffer(data, (uint32_t)size);
    relo_trusted_key_t key = {relo_trusted_public_key, relo_trusted_key_id};
    (void)relo_verify_package(&package, &bytes, &key, &detail);
    relocate_into_image(&package, &bytes);
    return 0;
}
