package io.edgeloop.ota.trust;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/** PEM encoding ({@code PUBLIC KEY} = X.509 SubjectPublicKeyInfo, {@code PRIVATE KEY} = PKCS#8). Thread-safe. */
final class Pem {
    private Pem() {
    }

    static String encode(String type, byte[] der) {
        StringWriter sw = new StringWriter();
        try (PemWriter w = new PemWriter(sw)) {
            w.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new IllegalStateException("writing PEM to memory failed", e);
        }
        return sw.toString();
    }

    static byte[] decode(String text, String expectedType, String what) throws IOException {
        try (PemReader r = new PemReader(new StringReader(text))) {
            PemObject o;
            try {
                o = r.readPemObject();
            } catch (IOException e) { // e.g. "-----END PRIVATE KEY----- not found" for a truncated file
                throw new IOException(what + " is malformed PEM: " + e.getMessage(), e);
            }
            if (o == null) {
                throw new IOException(what + " is not PEM (expected -----BEGIN " + expectedType + "-----)");
            }
            if (!o.getType().equals(expectedType)) {
                throw new IOException(what + " holds a PEM '" + o.getType() + "', expected '" + expectedType + "'");
            }
            return o.getContent();
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new IOException(what + " is malformed PEM: " + e.getMessage(), e);
        }
    }
}
