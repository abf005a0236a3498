/* SPDX-License-Identifier: Apache-2.0 */
/* The image-info record the firmware build stamps into the resident firmware after linking
 * (bootloader/tools/stamp_image.py), and the check the bootloader runs before jumping.
 *
 * The record sits at RELO_IMAGE_INFO_OFFSET from the start of the image, right after the
 * largest possible Cortex-M vector table (16 + 240 words). All fields little-endian:
 *
 *   +0  u32 magic        RELO_IMAGE_INFO_MAGIC ("RFWI")
 *   +4  u16 version      RELO_IMAGE_INFO_VERSION
 *   +6  u16 record_size  RELO_IMAGE_INFO_SIZE
 *   +8  u32 image_size   bytes of the image, from its vector table, covered by the CRC
 *   +12 u32 image_crc32  CRC-32 (zlib) of those bytes, this field counted as zero
 *   +16 u32 load_address where the image was linked (its vector table)
 *   +20 12 reserved bytes, zero
 */
#ifndef RELO_BOOT_IMAGE_INFO_H
#define RELO_BOOT_IMAGE_INFO_H

#include <stdint.h>

#define RELO_IMAGE_INFO_OFFSET 0x400u
#define RELO_IMAGE_INFO_SIZE 32u
#define RELO_IMAGE_INFO_MAGIC 0x49574652u /* bytes "RFWI" */
#define RELO_IMAGE_INFO_VERSION 1u
#define RELO_IMAGE_INFO_MAGIC_OFF 0u
#define RELO_IMAGE_INFO_VERSION_OFF 4u
#define RELO_IMAGE_INFO_RECORD_SIZE_OFF 6u
#define RELO_IMAGE_INFO_IMAGE_SIZE_OFF 8u
#define RELO_IMAGE_INFO_CRC_OFF 12u
#define RELO_IMAGE_INFO_LOAD_ADDRESS_OFF 16u

typedef enum {
    RELO_IMAGE_OK = 0,
    RELO_IMAGE_BAD_ARGUMENT,
    RELO_IMAGE_NO_RECORD,      /* magic missing: nothing stamped (or erased) */
    RELO_IMAGE_BAD_VERSION,    /* record from another bootloader generation */
    RELO_IMAGE_BAD_SIZE,       /* image_size too small or larger than the region */
    RELO_IMAGE_WRONG_ADDRESS,  /* linked for another load address */
    RELO_IMAGE_BAD_CRC,
    RELO_IMAGE_BAD_STACK,      /* initial SP outside the RAM the firmware may use, or misaligned */
    RELO_IMAGE_BAD_ENTRY,      /* reset vector not Thumb or outside the image */
} relo_image_status_t;

/* Where the firmware may live and what its initial stack pointer may be. */
typedef struct {
    uint32_t load_address; /* CPU address of the image (its vector table) */
    uint32_t max_size;     /* bytes reserved for the image */
    uint32_t ram_start;    /* the initial SP must lie in (ram_start, ram_end] */
    uint32_t ram_end;
} relo_image_region_t;

/* Checks the image at `image` (readable memory, max_size bytes) against `region`. On return
 * *crc_out holds the computed CRC (0 when the check stopped before computing it), for the
 * diagnostic line. */
relo_image_status_t relo_image_check(const uint8_t *image, const relo_image_region_t *region,
                                     uint32_t *crc_out);

/* One short English phrase per status, for the bootloader's single error line. */
const char *relo_image_status_text(relo_image_status_t status);

#endif /* RELO_BOOT_IMAGE_INFO_H */
