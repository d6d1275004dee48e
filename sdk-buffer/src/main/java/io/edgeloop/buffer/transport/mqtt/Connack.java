package io.edgeloop.buffer.transport.mqtt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A CONNACK as the publisher uses it: the reason code and the MQTT 5 properties a client must obey (OASIS MQTT 5.0,
 * section 3.2.2.3). An MQTT 3.1.1 CONNACK has no properties, so every limit takes its default (none).
 *
 * <p>Of the properties a broker may send, the publisher acts on Server Keep Alive (used instead of its own
 * keep-alive), Maximum Packet Size (no larger PUBLISH is sent) and Maximum QoS (0 means no publish can be
 * acknowledged). Receive Maximum is obeyed by construction (one PUBLISH in flight, and a broker may not announce
 * less than 1); Retain Available and Topic Alias Maximum concern features the publisher never uses (it sends no
 * retained messages and no topic aliases). The others are read past.
 *
 * <p>Immutable, so thread-safe.
 *
 * @param reason            the connect reason code (3.1.1: the return code)
 * @param serverKeepAlive   the Server Keep Alive in seconds, or -1 when absent (0 means no keep-alive)
 * @param maximumPacketSize the largest packet in bytes the broker accepts, or -1 when absent (no limit beyond the
 *                          protocol's)
 * @param receiveMaximum    how many QoS 1 and 2 publishes the broker accepts in flight (65535 when absent)
 * @param maximumQos        the highest QoS the broker accepts (2 when absent)
 * @param reasonString      the broker's human-readable reason, or null
 */
record Connack(int reason, int serverKeepAlive, long maximumPacketSize, int receiveMaximum, int maximumQos,
        String reasonString) {
    static final int SESSION_EXPIRY_INTERVAL = 0x11;
    static final int RECEIVE_MAXIMUM = 0x21;
    static final int MAXIMUM_QOS = 0x24;
    static final int RETAIN_AVAILABLE = 0x25;
    static final int MAXIMUM_PACKET_SIZE = 0x27;
    static final int ASSIGNED_CLIENT_IDENTIFIER = 0x12;
    static final int TOPIC_ALIAS_MAXIMUM = 0x22;
    static final int REASON_STRING = 0x1F;
    static final int USER_PROPERTY = 0x26;
    static final int WILDCARD_SUBSCRIPTION_AVAILABLE = 0x28;
    static final int SUBSCRIPTION_IDENTIFIERS_AVAILABLE = 0x29;
    static final int SHARED_SUBSCRIPTION_AVAILABLE = 0x2A;
    static final int SERVER_KEEP_ALIVE = 0x13;
    static final int RESPONSE_INFORMATION = 0x1A;
    static final int SERVER_REFERENCE = 0x1C;
    static final int AUTHENTICATION_METHOD = 0x15;
    static final int AUTHENTICATION_DATA = 0x16;

    /**
     * Parses the body of a CONNACK (the bytes after the fixed header).
     *
     * @param body the body
     * @param v5   whether the connection speaks MQTT 5 (then properties follow the two first bytes)
     * @return the CONNACK
     * @throws IOException when the body is malformed: a property unknown to CONNACK, one given twice, a value out
     *                     of range (Receive Maximum 0, Maximum QoS above 1, Maximum Packet Size 0), a length that
     *                     overruns the body, or bytes after the properties
     */
    static Connack parse(byte[] body, boolean v5) throws IOException {
        if (body.length < 2 || !v5 && body.length != 2) {
            throw new IOException("malformed CONNACK of " + body.length + " bytes");
        }
        int reason = body[1] & 0xFF;
        int keepAlive = -1;
        long maxPacket = -1;
        int receiveMax = 65535;
        int maxQos = 2;
        String reasonString = null;
        if (v5 && body.length > 2) {
            Reader r = new Reader(body, 2);
            int length = r.varInt();
            int end = r.pos + length;
            if (end > body.length) {
                throw new IOException("malformed CONNACK: property length " + length + " overruns the packet");
            }
            long seen = 0;
            while (r.pos < end) {
                int id = r.varInt();
                if (id != USER_PROPERTY && id < 64) {
                    if ((seen & 1L << id) != 0) {
                        throw new IOException(String.format("malformed CONNACK: property 0x%02X given twice", id));
                    }
                    seen |= 1L << id;
                }
                switch (id) {
                    case SERVER_KEEP_ALIVE: keepAlive = r.u16(); break;
                    case RECEIVE_MAXIMUM:
                        receiveMax = r.u16();
                        if (receiveMax == 0) {
                            throw new IOException("malformed CONNACK: Receive Maximum 0");
                        }
                        break;
                    case MAXIMUM_QOS:
                        maxQos = r.u8();
                        if (maxQos > 1) {
                            throw new IOException("malformed CONNACK: Maximum QoS " + maxQos);
                        }
                        break;
                    case MAXIMUM_PACKET_SIZE:
                        maxPacket = r.u32();
                        if (maxPacket == 0) {
                            throw new IOException("malformed CONNACK: Maximum Packet Size 0");
                        }
                        break;
                    case REASON_STRING: reasonString = r.utf(); break;
                    case RETAIN_AVAILABLE:
                    case WILDCARD_SUBSCRIPTION_AVAILABLE:
                    case SUBSCRIPTION_IDENTIFIERS_AVAILABLE:
                    case SHARED_SUBSCRIPTION_AVAILABLE: r.u8(); break;
                    case TOPIC_ALIAS_MAXIMUM: r.u16(); break;
                    case SESSION_EXPIRY_INTERVAL: r.u32(); break;
                    case ASSIGNED_CLIENT_IDENTIFIER:
                    case RESPONSE_INFORMATION:
                    case SERVER_REFERENCE:
                    case AUTHENTICATION_METHOD: r.utf(); break;
                    case AUTHENTICATION_DATA: r.binary(); break;
                    case USER_PROPERTY: r.utf(); r.utf(); break;
                    default:
                        throw new IOException(String.format("malformed CONNACK: property 0x%02X is not a CONNACK"
                                + " property", id));
                }
                if (r.pos > end) {
                    throw new IOException("malformed CONNACK: a property overruns the property length");
                }
            }
            if (end != body.length) {
                throw new IOException("malformed CONNACK: " + (body.length - end) + " bytes after the properties");
            }
        }
        return new Connack(reason, keepAlive, maxPacket, receiveMax, maxQos, reasonString);
    }

    /** Reads the property encodings of MQTT 5, section 1.5, failing on a value that overruns the body. */
    private static final class Reader {
        private final byte[] b;
        private int pos;

        Reader(byte[] b, int pos) {
            this.b = b;
            this.pos = pos;
        }

        private void need(int n) throws IOException {
            if (pos + n > b.length) {
                throw new IOException("malformed CONNACK: truncated property");
            }
        }

        int u8() throws IOException {
            need(1);
            return b[pos++] & 0xFF;
        }

        int u16() throws IOException {
            return u8() << 8 | u8();
        }

        long u32() throws IOException {
            return (long) u16() << 16 | u16();
        }

        int varInt() throws IOException {
            int value = 0;
            for (int i = 0; i < 4; i++) {
                int d = u8();
                value |= (d & 0x7F) << (7 * i);
                if ((d & 0x80) == 0) {
                    return value;
                }
            }
            throw new IOException("malformed CONNACK: variable byte integer longer than 4 bytes");
        }

        String utf() throws IOException {
            return new String(binary(), StandardCharsets.UTF_8);
        }

        byte[] binary() throws IOException {
            int n = u16();
            need(n);
            byte[] out = new byte[n];
            System.arraycopy(b, pos, out, 0, n);
            pos += n;
            return out;
        }
    }
}
