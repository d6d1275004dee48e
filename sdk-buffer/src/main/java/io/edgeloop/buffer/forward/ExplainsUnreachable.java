package io.edgeloop.buffer.forward;

/**
 * Implemented by a {@link io.edgeloop.api.transport.Transport} that can say why its
 * {@link io.edgeloop.api.transport.Transport#isReachable()} is false; a {@link Forwarder} waiting for it then
 * shows that reason as its {@link ForwarderStats#lastError()} instead of nothing.
 *
 * <p>Thread safety: implementations must allow calls from any thread.
 */
public interface ExplainsUnreachable {
    /**
     * Says why the receiver cannot be reached now, naming the thing (a directory, a host) and the likely fix.
     *
     * @return the reason, one line
     */
    String unreachableReason();
}
