package io.edgeloop.buffer.transport.mqtt;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The few MQTT control packets a QoS 1 publisher needs, in MQTT 5.0 (OASIS MQTT 5.0, section 3: empty property
 * lists on what we send, reason codes read from CONNACK, PUBACK and DISCONNECT, CONNACK properties parsed by
 * {@link Connack}, the Reason String of a PUBACK or DISCONNECT read for messages) and MQTT 3.1.1: CONNECT, CONNACK, PUBLISH, PUBACK, PINGREQ, PINGRESP and DISCONNECT.
 *
 * <p>Thread-safe: stateless.
 */
final class MqttPackets {
    static final int CONNECT = 1;
    static final int CONNACK = 2;
    static final int PUBLISH = 3;
    static final int PUBACK = 4;
    static final int PINGREQ = 12;
    static final int PINGRESP = 13;
    static final int DISCONNECT = 14;
    /** Protocol level of MQTT 3.1.1 in CONNECT. */
    static final int V311 = 4;
    /** Protocol level of MQTT 5.0 in CONNECT. */
    static final int V5 = 5;
    /** Largest remaining length a packet may have (four length bytes). */
    static final int MAX_REMAINING = 268_435_455;

    private MqttPackets() {
    }

    /** A received packet: its type, the flags of the fixed header and the rest of the bytes. */
    record Packet(int type, int flags, byte[] body) {
    }

    /** An MQTT 3.1.1 CONNECT. */
    static byte[] connect(String clientId, boolean cleanSession, int keepAliveSeconds, String username,
            String password) {
        return connect(V311, clientId, cleanSession, keepAliveSeconds, username, password);
    }

    /** A CONNECT of protocol level {@link #V311} or {@link #V5} (MQTT 5: no properties, no will). */
    static byte[] connect(int level, String clientId, boolean cleanSession, int keepAliveSeconds, String username,
            String password) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        utf(v, "MQTT");
        v.write(level);
        int flags = cleanSession ? 0x02 : 0;
        if (username != null) {
            flags |= 0x80;
        }
        if (password != null) {
            flags |= 0x40;
        }
        v.write(flags);
        v.write(keepAliveSeconds >> 8);
        v.write(keepAliveSeconds);
        if (level == V5) {
            v.write(0); // property length: no properties
        }
        utf(v, clientId);
        if (username != null) {
            utf(v, username);
        }
        if (password != null) {
            bytes(v, password.getBytes(StandardCharsets.UTF_8));
        }
        return packet(CONNECT << 4, v.toByteArray(), null);
    }

    /** The fixed and variable header of an MQTT 3.1.1 QoS 1 PUBLISH. */
    static byte[] publishHeader(String topic, int packetId, int payloadLength) {
        return publishHeader(V311, topic, packetId, payloadLength);
    }

    /** The fixed and variable header of a QoS 1 PUBLISH at protocol level {@code level}. */
    static byte[] publishHeader(int level, String topic, int packetId, int payloadLength) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        utf(v, topic);
        v.write(packetId >> 8);
        v.write(packetId);
        if (level == V5) {
            v.write(0); // property length: no properties
        }
        // QoS 1 (bits 2-1 = 01), not DUP, not retained.
        return packet((PUBLISH << 4) | 0x02, v.toByteArray(), payloadLength);
    }

    static byte[] pingreq() {
        return new byte[] {(byte) (PINGREQ << 4), 0};
    }

    static byte[] disconnect() {
        return new byte[] {(byte) (DISCONNECT << 4), 0};
    }

    /** Builds the fixed header and variable header; a PUBLISH payload is written separately after it. */
    private static byte[] packet(int first, byte[] variable, Integer payloadLength) {
        long remaining = (long) variable.length + (payloadLength == null ? 0 : payloadLength);
        if (remaining > MAX_REMAINING) {
            throw new IllegalArgumentException("MQTT packet of " + remaining + " bytes exceeds the protocol limit of "
                    + MAX_REMAINING);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(variable.length + 5);
        out.write(first);
        int r = (int) remaining;
        do {
            int digit = r % 128;
            r /= 128;
            out.write(r > 0 ? digit | 0x80 : digit);
        } while (r > 0);
        out.writeBytes(variable);
        return out.toByteArray();
    }

    private static void utf(ByteArrayOutputStream out, String s) {
        bytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static void bytes(ByteArrayOutputStream out, byte[] b) {
        if (b.length > 0xFFFF) {
            throw new IllegalArgumentException("MQTT string of " + b.length + " bytes exceeds 65535");
        }
        out.write(b.length >> 8);
        out.write(b.length);
        out.writeBytes(b);
    }

    /**
     * Reads one packet. Packets a publisher never expects to be large (anything but PUBLISH) are limited to
     * 64 KiB, so a misbehaving peer cannot make us allocate without bound.
     */
    static Packet read(DataInputStream in) throws IOException {
        return read(in, 65536);
    }

    /** Reads one packet whose remaining length may be at most {@code maxRemaining}. */
    static Packet read(DataInputStream in, int maxRemaining) throws IOException {
        int first = in.read();
        if (first < 0) {
            throw new EOFException("broker closed the connection");
        }
        int remaining = 0;
        int multiplier = 1;
        for (int i = 0; ; i++) {
            int b = in.readUnsignedByte();
            remaining += (b & 0x7F) * multiplier;
            if ((b & 0x80) == 0) {
                break;
            }
            if (i == 3) {
                throw new IOException("malformed MQTT remaining length");
            }
            multiplier *= 128;
        }
        if (remaining > maxRemaining) {
            throw new IOException("unexpected " + remaining + "-byte MQTT packet of type " + (first >> 4));
        }
        byte[] body = new byte[remaining];
        in.readFully(body);
        return new Packet(first >> 4 & 0x0F, first & 0x0F, body);
    }

    /**
     * Names an MQTT 5 reason code of a CONNACK, PUBACK or DISCONNECT (OASIS MQTT 5.0, section 2.4), with its hex
     * value.
     */
    static String reason5(int code) {
        String name;
        switch (code) {
            case 0x00: name = "normal disconnection"; break;
            case 0x04: name = "disconnect with will message"; break;
            case 0x10: name = "no matching subscribers"; break;
            case 0x80: name = "unspecified error"; break;
            case 0x81: name = "malformed packet"; break;
            case 0x82: name = "protocol error"; break;
            case 0x83: name = "implementation specific error"; break;
            case 0x84: name = "unsupported protocol version"; break;
            case 0x85: name = "client identifier not valid"; break;
            case 0x86: name = "bad user name or password"; break;
            case 0x87: name = "not authorized"; break;
            case 0x88: name = "server unavailable"; break;
            case 0x89: name = "server busy"; break;
            case 0x8A: name = "banned"; break;
            case 0x8B: name = "server shutting down"; break;
            case 0x8C: name = "bad authentication method"; break;
            case 0x8D: name = "keep alive timeout"; break;
            case 0x8E: name = "session taken over"; break;
            case 0x8F: name = "topic filter invalid"; break;
            case 0x90: name = "topic name invalid"; break;
            case 0x91: name = "packet identifier in use"; break;
            case 0x92: name = "packet identifier not found"; break;
            case 0x93: name = "receive maximum exceeded"; break;
            case 0x94: name = "topic alias invalid"; break;
            case 0x95: name = "packet too large"; break;
            case 0x96: name = "message rate too high"; break;
            case 0x97: name = "quota exceeded"; break;
            case 0x98: name = "administrative action"; break;
            case 0x99: name = "payload format invalid"; break;
            case 0x9A: name = "retain not supported"; break;
            case 0x9B: name = "QoS not supported"; break;
            case 0x9C: name = "use another server"; break;
            case 0x9D: name = "server moved"; break;
            case 0x9E: name = "shared subscriptions not supported"; break;
            case 0x9F: name = "connection rate exceeded"; break;
            case 0xA0: name = "maximum connect time"; break;
            case 0xA1: name = "subscription identifiers not supported"; break;
            case 0xA2: name = "wildcard subscriptions not supported"; break;
            default: name = "reason code";
        }
        return name + String.format(" (0x%02X)", code);
    }

    /**
     * Names an MQTT 5 reason code as {@link #reason5(int)} does, followed by the broker's Reason String when it sent
     * one.
     *
     * @param code         the reason code
     * @param reasonString the Reason String property (0x1F), or null
     * @return for example {@code not authorized (0x87), broker's reason: "ACL denies dev/data"}
     */
    static String reason5(int code, String reasonString) {
        return reason5(code) + (reasonString == null ? "" : ", broker's reason: \"" + printable(reasonString) + "\"");
    }

    /** Longest Reason String quoted in a message; the rest is cut (a broker may send up to 65,535 bytes). */
    static final int MAX_REASON_CHARS = 300;

    /**
     * A broker's text made safe for a one-line message and a log: control characters (a line break could forge a
     * log line) become spaces, and text past {@link #MAX_REASON_CHARS} characters is cut.
     */
    static String printable(String text) {
        StringBuilder b = new StringBuilder(Math.min(text.length(), MAX_REASON_CHARS));
        for (int i = 0; i < text.length() && b.length() < MAX_REASON_CHARS; i++) {
            char c = text.charAt(i);
            b.append(Character.isISOControl(c) ? ' ' : c);
        }
        if (text.length() > MAX_REASON_CHARS) {
            b.append("... (").append(text.length()).append(" characters)");
        }
        return b.toString();
    }

    /**
     * The Reason String property (0x1F) of an MQTT 5 PUBACK or DISCONNECT whose property length starts at
     * {@code offset} of the body (PUBACK: after the packet id and the reason code; DISCONNECT: after the reason
     * code). Only the message of a refusal depends on it, so a property section that is absent, malformed or holds
     * a property these packets cannot carry gives null rather than an error: the refusal itself (its reason code)
     * is handled exactly as without it.
     *
     * @param body   the packet body
     * @param offset where the property length is, or the body's length when the packet has no properties
     * @return the Reason String, or null
     */
    static String reasonString(byte[] body, int offset) {
        int pos = offset;
        if (pos >= body.length) {
            return null;
        }
        int length = 0;
        for (int i = 0; ; i++) {
            if (pos >= body.length || i == 4) {
                return null;
            }
            int d = body[pos++] & 0xFF;
            length |= (d & 0x7F) << (7 * i);
            if ((d & 0x80) == 0) {
                break;
            }
        }
        int end = pos + length;
        if (end > body.length || end < pos) {
            return null;
        }
        String reason = null;
        while (pos < end) {
            int id = body[pos++] & 0xFF;
            switch (id) {
                case 0x1F: // Reason String: UTF-8 string
                case 0x1C: // Server Reference (DISCONNECT): UTF-8 string
                case 0x26: { // User Property: two UTF-8 strings
                    int strings = id == 0x26 ? 2 : 1;
                    for (int k = 0; k < strings; k++) {
                        if (pos + 2 > end) {
                            return null;
                        }
                        int n = (body[pos] & 0xFF) << 8 | (body[pos + 1] & 0xFF);
                        pos += 2;
                        if (pos + n > end) {
                            return null;
                        }
                        if (id == 0x1F && reason == null) {
                            reason = new String(body, pos, n, StandardCharsets.UTF_8);
                        }
                        pos += n;
                    }
                    break;
                }
                case 0x11: // Session Expiry Interval (DISCONNECT): four-byte integer
                    pos += 4;
                    break;
                default:
                    return reason;
            }
        }
        return pos == end ? reason : null;
    }

    /**
     * Whether an MQTT 5 refusal of a PUBLISH is about the message itself (too large, bad payload format), which
     * sending it again can never fix, rather than about the client or topic (not authorised, quota), which the
     * broker's settings fix while the records wait.
     */
    static boolean refusesContent(int code) {
        return code == 0x95 || code == 0x99;
    }

    static String connackReason(int code) {
        switch (code) {
            case 1: return "unacceptable protocol version (the broker does not speak MQTT 3.1.1)";
            case 2: return "client identifier rejected";
            case 3: return "server unavailable";
            case 4: return "bad user name or password";
            case 5: return "not authorized";
            default: return "refused with code " + code;
        }
    }
}
