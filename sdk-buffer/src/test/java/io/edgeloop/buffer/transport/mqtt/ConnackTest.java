package io.edgeloop.buffer.transport.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HexFormat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** CONNACK bodies as mosquitto 2.0.11 sent them (captured from a real broker), and malformed ones. */
class ConnackTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    @DisplayName("reads the limits mosquitto announces: Server Keep Alive, Maximum Packet Size, Maximum QoS,"
            + " Receive Maximum")
    void readsMosquittoLimits() throws IOException {
        // max_keepalive 10: Topic Alias Maximum 10, Server Keep Alive 10, Receive Maximum 20
        Connack ka = Connack.parse(hex("00 00 09 22000a 13000a 210014"), true);
        assertEquals(10, ka.serverKeepAlive());
        assertEquals(-1, ka.maximumPacketSize());
        assertEquals(20, ka.receiveMaximum());
        assertEquals(2, ka.maximumQos());
        // max_packet_size 2000
        assertEquals(2000, Connack.parse(hex("00 00 0b 22000a 27000007d0 210014"), true).maximumPacketSize());
        // max_qos 0
        assertEquals(0, Connack.parse(hex("00 00 08 22000a 210014 2400"), true).maximumQos());
        // max_inflight_messages 3, retain_available false
        Connack rm = Connack.parse(hex("00 00 08 22000a 2500 210003"), true);
        assertEquals(3, rm.receiveMaximum());
        assertEquals(-1, rm.serverKeepAlive());
        // Maximum Packet Size is a four-byte unsigned integer
        assertEquals(0xFFFFFFFFL, Connack.parse(hex("00 00 05 27ffffffff"), true).maximumPacketSize());
    }

    @Test
    @DisplayName("an MQTT 3.1.1 CONNACK and an MQTT 5 one without properties leave every limit at its default")
    void noPropertiesMeansNoLimits() throws IOException {
        for (Connack c : new Connack[] {Connack.parse(hex("0000"), false), Connack.parse(hex("0000"), true),
                Connack.parse(hex("000000"), true)}) {
            assertEquals(0, c.reason());
            assertEquals(-1, c.serverKeepAlive());
            assertEquals(-1, c.maximumPacketSize());
            assertEquals(65535, c.receiveMaximum());
            assertEquals(2, c.maximumQos());
            assertNull(c.reasonString());
        }
        assertEquals(5, Connack.parse(hex("0005"), false).reason());
    }

    @Test
    @DisplayName("reads past properties it does not act on, user properties and a reason string")
    void readsPastOtherProperties() throws IOException {
        // Session Expiry 60, Assigned Client Identifier "ab", User Property ("k","v"), Reason String "no",
        // Shared Subscription Available 1, Authentication Data (1 byte), then Server Keep Alive 5
        Connack c = Connack.parse(hex("00 87 1f 110000003c 1200026162 2600016b000176 1f00026e6f 2a01 16000109"
                + " 130005"), true);
        assertEquals(0x87, c.reason());
        assertEquals("no", c.reasonString());
        assertEquals(5, c.serverKeepAlive());
    }

    @Test
    @DisplayName("refuses malformed CONNACKs: a property CONNACK has not, one given twice, out-of-range values,"
            + " lengths overrunning the packet, a 3.1.1 CONNACK with extra bytes")
    void refusesMalformed() {
        String[] bad = {
            "00 00 02 0100", // Payload Format Indicator is not a CONNACK property
            "00 00 06 130005 130006", // Server Keep Alive twice
            "00 00 03 210000", // Receive Maximum 0
            "00 00 02 2402", // Maximum QoS 2 may not be sent
            "00 00 05 2700000000", // Maximum Packet Size 0
            "00 00 09 130005", // property length overruns the packet
            "00 00 02 1300", // value overruns the property length and the packet
            "00 00 03 130005 21", // value overruns the property length
            "00", // no reason code
        };
        for (String b : bad) {
            assertThrows(IOException.class, () -> Connack.parse(hex(b), true), b);
        }
        IOException e = assertThrows(IOException.class, () -> Connack.parse(hex("000000"), false));
        assertTrue(e.getMessage().contains("malformed CONNACK"), e.getMessage());
    }
}
