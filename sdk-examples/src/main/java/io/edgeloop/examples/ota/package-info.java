/**
 * OTA measurements behind {@code edgeloop bench ota}.
 */
package io.edgeloop.examples.ota;
