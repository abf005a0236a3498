/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "flash_sim.h"
#include "relo/port_flash.h"
#include "relo/relo_trusted_key.h"
#include "test_support.h"

int support_store(uint32_t flash_offset, const uint8_t *data, uint32_t size)
{
    const relo_flash_geometry_t *geometry = relo_flash_geometry();
    uint32_t padded = (size + geometry->write_size - 1u) / geometry->write_size * geometry->write_size;
    for (uint32_t at = 0; at < padded; at += geometry->sector_size) {
        if (relo_flash_erase_sector(flash_offset + at) != 0) {
            return -1;
        }
    }
    uint8_t *copy = malloc(padded);
    if (copy == NULL) {
        return -1;
    }
    memset(copy, 0xFF, padded);
    memcpy(copy, data, size);
    int result = relo_flash_program(flash_offset, copy, padded);
    free(copy);
    return result;
}

relo_trusted_key_t support_trusted_key(void)
{
    relo_trusted_key_t key = {relo_trusted_public_key, relo_trusted_key_id};
    return key;
}

relo_status_t support_install(relo_device_t *device, const uint8_t *raw, uint32_t size, uint32_t chunk,
                              uint32_t stop, uint32_t *resumed_at, uint32_t *detail)
{
    relo_install_env_t env = {&device->slots, &device->model, &device->key};
    uint8_t slot;
    uint32_t next = 0;
    relo_package_t package;
    uint32_t head = relo_package_parse(raw, size, &package) == RELO_STATUS_OK ? package.head_size : size;
    relo_status_t status = relo_installer_begin(&device->installer, &env, raw, head, &slot, &next, detail);
    *resumed_at = next;
    if (status != RELO_STATUS_OK) {
        return status;
    }
    uint32_t end = stop < size ? stop : size;
    while (next < end) {
        uint32_t n = end - next < chunk ? end - next : chunk;
        status = relo_installer_data(&device->installer, next, raw + next, n, detail);
        if (status != RELO_STATUS_OK) {
            return status;
        }
        next += n;
    }
    return stop < size ? RELO_STATUS_OK : relo_installer_end(&device->installer, &env, detail);
}
