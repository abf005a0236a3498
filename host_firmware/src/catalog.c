/* SPDX-License-Identifier: Apache-2.0 */
/* LIST: one record per slot in use, read field by field from the package head in flash. */
#include <string.h>

#include "relo/port_flash.h"
#include "relo/relo_catalog.h"
#include "relo/relo_crypto.h"
#include "relo/relo_endian.h"
#include "relo/relo_package.h"

/* Size, version, counter and signed-head digest of the package in `slot` (zeros if the head
 * is unreadable). The name comes from the slot manager, which read it at boot or install. */
static void describe_slot(const relo_slots_t *slots, uint8_t slot, uint8_t *entry)
{
    memset(entry, 0, RELO_LIST_ENTRY_SIZE);
    entry[RELO_LIST_ENTRY_SLOT_OFF] = slot;
    entry[RELO_LIST_ENTRY_ROLE_OFF] = relo_slots_role(slots, slot);
    memcpy(entry + RELO_LIST_ENTRY_NAME_OFF, slots->info[slot].name, RELO_NAME_LENGTH);
    relo_store32_le(entry + RELO_LIST_ENTRY_VERSION_OFF, slots->info[slot].version);
    uint32_t offset = relo_slots_offset(slots, slot);
    uint8_t header[RELO_PACKAGE_HEADER_SIZE];
    uint8_t counter[4];
    if (relo_flash_read(offset, header, sizeof header) != 0) {
        return;
    }
    uint32_t signed_size = relo_load32_le(header + RELO_PACKAGE_HEADER_SIGNED_SIZE_OFF);
    uint32_t manifest = relo_load32_le(header + RELO_PACKAGE_HEADER_MANIFEST_OFFSET_OFF);
    if (signed_size > RELO_PACKAGE_HEAD_MAX || manifest > RELO_PACKAGE_HEAD_MAX ||
        relo_flash_read(offset + manifest + RELO_MANIFEST_SECURITY_COUNTER_OFF, counter, sizeof counter) != 0) {
        return;
    }
    relo_reader_t bytes = relo_reader_from_flash(offset, signed_size);
    uint8_t digest[RELO_SHA256_SIZE];
    if (relo_crypto_sha256(&bytes, 0, signed_size, digest) != 0) {
        return;
    }
    relo_store32_le(entry + RELO_LIST_ENTRY_PACKAGE_SIZE_OFF,
                    relo_load32_le(header + RELO_PACKAGE_HEADER_PACKAGE_SIZE_OFF));
    relo_store32_le(entry + RELO_LIST_ENTRY_SECURITY_COUNTER_OFF, relo_load32_le(counter));
    memcpy(entry + RELO_LIST_ENTRY_SIGNED_SHA256_OFF, digest, sizeof digest);
}

relo_status_t relo_catalog_list(const relo_slots_t *slots, uint8_t *out, uint32_t capacity, uint32_t *length)
{
    uint8_t count = relo_slots_count(slots);
    if (out == 0 || capacity < RELO_LIST_RESPONSE_SIZE + (uint32_t)count * RELO_LIST_ENTRY_SIZE) {
        return RELO_STATUS_BAD_LENGTH;
    }
    uint32_t at = RELO_LIST_RESPONSE_SIZE;
    uint8_t entries = 0;
    for (uint8_t slot = 0; slot < count; slot++) {
        if (relo_slots_role(slots, slot) != RELO_SLOT_ROLE_FREE) {
            describe_slot(slots, slot, out + at);
            at += RELO_LIST_ENTRY_SIZE;
            entries++;
        }
    }
    out[RELO_LIST_RESPONSE_SLOT_COUNT_OFF] = count;
    out[RELO_LIST_RESPONSE_DEFAULT_SLOT_OFF] = relo_slots_default(slots);
    out[RELO_LIST_RESPONSE_ENTRY_COUNT_OFF] = entries;
    out[RELO_LIST_RESPONSE_ENTRY_SIZE_OFF] = RELO_LIST_ENTRY_SIZE;
    *length = at;
    return RELO_STATUS_OK;
}
