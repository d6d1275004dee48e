/**
 * The {@code http} transport: one {@code POST} per batch through the JDK {@link java.net.http.HttpClient};
 * a 2xx answer is the acknowledgement.
 */
package io.edgeloop.buffer.transport.http;
