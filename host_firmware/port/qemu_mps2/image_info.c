/* SPDX-License-Identifier: Apache-2.0 */
/* Placeholder for the image-info record the post-link step (bootloader/tools/stamp_image.py)
 * fills in; the linker script puts it at RELO_IMAGE_INFO_OFFSET. "RFW?" marks it unstamped,
 * so an image that skipped the stamp is refused by the bootloader. */
#include <stdint.h>

#include "relo_boot/image_info.h"

__attribute__((section(".image_info"), used))
const uint8_t relo_image_info_placeholder[RELO_IMAGE_INFO_SIZE] = {'R', 'F', 'W', '?'};
