/**
 * Edgeloop's contracts. Sub-packages hold one concept each: {@code record} (sensor records and idempotency
 * keys), {@code window} (windows of readings), {@code label}, {@code source}, {@code transport},
 * {@code quantize}, {@code runtime} (integer models other modules can execute), {@code deploy},
 * {@code target} (hardware profiles), {@code provenance}, {@code config} and {@code spi} (the provider loader).
 */
package io.edgeloop.api;
