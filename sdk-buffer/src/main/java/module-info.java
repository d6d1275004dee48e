/**
 * Edgeloop buffer: the durable store-and-forward log, named consumer cursors, durability and disk-budget
 * policies, metrics and the forwarder that drains a cursor to a {@link io.edgeloop.api.transport.Transport}.
 */
module io.edgeloop.buffer {
    requires transitive io.edgeloop.api;
    requires org.slf4j;

    exports io.edgeloop.buffer;
    exports io.edgeloop.buffer.cursor;
    exports io.edgeloop.buffer.log;
    exports io.edgeloop.buffer.metrics;
    exports io.edgeloop.buffer.policy;
}
