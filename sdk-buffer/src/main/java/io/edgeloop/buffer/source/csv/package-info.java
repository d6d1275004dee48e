/**
 * The {@code csv-replay} sensor source: replays a CSV file (a sensor log, a public dataset) as sensor records, so
 * that the on-device data path (source, durable buffer, forwarder, transport) can be developed and demonstrated on
 * real data without hardware. Not exported: the source is reached through
 * {@link io.edgeloop.api.spi.ProviderLoader} by the name {@code csv-replay}.
 */
package io.edgeloop.buffer.source.csv;
