/* SPDX-License-Identifier: Apache-2.0 */
/* Portable check of a resident-firmware image: stamped record, CRC, initial SP and reset
 * vector. No board knowledge here; the port passes the region it reserves. */
#include "relo_boot/image_info.h"

#include "relo/relo_crc32.h"
#include "relo/relo_endian.h"

#include <stddef.h>

static uint16_t load16_le(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

/* CRC over [0, size) with the record's CRC field read as zeros, so the stamp can be
 * computed before it is written. */
static uint32_t image_crc(const uint8_t *image, uint32_t size)
{
    static const uint8_t zero_field[4] = {0, 0, 0, 0};
    const uint32_t field = RELO_IMAGE_INFO_OFFSET + RELO_IMAGE_INFO_CRC_OFF;
    uint32_t crc = relo_crc32_update(0, image, field);
    crc = relo_crc32_update(crc, zero_field, sizeof zero_field);
    return relo_crc32_update(crc, image + field + 4u, size - field - 4u);
}

static relo_image_status_t check_record(const uint8_t *record, const relo_image_region_t *region)
{
    if (relo_load32_le(record + RELO_IMAGE_INFO_MAGIC_OFF) != RELO_IMAGE_INFO_MAGIC) {
        return RELO_IMAGE_NO_RECORD;
    }
    if (load16_le(record + RELO_IMAGE_INFO_VERSION_OFF) != RELO_IMAGE_INFO_VERSION ||
        load16_le(record + RELO_IMAGE_INFO_RECORD_SIZE_OFF) != RELO_IMAGE_INFO_SIZE) {
        return RELO_IMAGE_BAD_VERSION;
    }
    uint32_t size = relo_load32_le(record + RELO_IMAGE_INFO_IMAGE_SIZE_OFF);
    if (size < RELO_IMAGE_INFO_OFFSET + RELO_IMAGE_INFO_SIZE || size > region->max_size) {
        return RELO_IMAGE_BAD_SIZE;
    }
    if (relo_load32_le(record + RELO_IMAGE_INFO_LOAD_ADDRESS_OFF) != region->load_address) {
        return RELO_IMAGE_WRONG_ADDRESS;
    }
    return RELO_IMAGE_OK;
}

/* The first two vector-table words: the SP must be a full-descending stack top inside the
 * firmware RAM (8-byte aligned as AAPCS requires), the reset handler Thumb code in the image. */
static relo_image_status_t check_vectors(const uint8_t *image, const relo_image_region_t *region, uint32_t size)
{
    uint32_t sp = relo_load32_le(image);
    uint32_t reset = relo_load32_le(image + 4);
    if (sp <= region->ram_start || sp > region->ram_end || (sp & 7u) != 0) {
        return RELO_IMAGE_BAD_STACK;
    }
    uint32_t target = reset & ~1u;
    if ((reset & 1u) == 0 || target < region->load_address || target - region->load_address >= size) {
        return RELO_IMAGE_BAD_ENTRY;
    }
    return RELO_IMAGE_OK;
}

relo_image_status_t relo_image_check(const uint8_t *image, const relo_image_region_t *region, uint32_t *crc_out)
{
    if (crc_out != NULL) {
        *crc_out = 0;
    }
    if (image == NULL || region == NULL || crc_out == NULL ||
        region->max_size < RELO_IMAGE_INFO_OFFSET + RELO_IMAGE_INFO_SIZE || region->ram_end <= region->ram_start) {
        return RELO_IMAGE_BAD_ARGUMENT;
    }
    const uint8_t *record = image + RELO_IMAGE_INFO_OFFSET;
    relo_image_status_t status = check_record(record, region);
    if (status != RELO_IMAGE_OK) {
        return status;
    }
    uint32_t size = relo_load32_le(record + RELO_IMAGE_INFO_IMAGE_SIZE_OFF);
    *crc_out = image_crc(image, size);
    if (*crc_out != relo_load32_le(record + RELO_IMAGE_INFO_CRC_OFF)) {
        return RELO_IMAGE_BAD_CRC;
    }
    return check_vectors(image, region, size);
}

const char *relo_image_status_text(relo_image_status_t status)
{
    switch (status) {
    case RELO_IMAGE_OK: return "ok";
    case RELO_IMAGE_BAD_ARGUMENT: return "bad argument";
    case RELO_IMAGE_NO_RECORD: return "no image-info record (not stamped, or nothing loaded)";
    case RELO_IMAGE_BAD_VERSION: return "image-info record version not supported";
    case RELO_IMAGE_BAD_SIZE: return "image size out of range";
    case RELO_IMAGE_WRONG_ADDRESS: return "image linked for another address";
    case RELO_IMAGE_BAD_CRC: return "image CRC mismatch";
    case RELO_IMAGE_BAD_STACK: return "initial stack pointer outside firmware RAM";
    case RELO_IMAGE_BAD_ENTRY: return "reset vector outside the image or not Thumb";
    }
    return "unknown status";
}
