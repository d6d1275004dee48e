package io.edgeloop.ota.testing;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.bundle.BundleManifest;
import io.edgeloop.ota.bundle.Check;
import io.edgeloop.ota.bundle.GoldenVectors;
import io.edgeloop.ota.json.CanonicalJson;
import io.edgeloop.ota.trust.SignatureRecord;
import io.edgeloop.ota.trust.SigningKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The attack suite as data: hostile bundles for a cortex-m3 device on sequence 5, epoch 1, whose trust root is
 * {@code threshold}-of-{A, B} (B revoked in {@link #REVOKED_TRUST_KEY} cases is handled by the caller).
 */
public final class HostileBundles {
    /** Trusted key A (Ed25519). */
    public static final SigningKey A = Fixtures.key(io.edgeloop.ota.trust.KeyAlgorithm.ED25519, 1);
    /** Trusted key B (P-256). */
    public static final SigningKey B = Fixtures.key(io.edgeloop.ota.trust.KeyAlgorithm.P256, 2);
    /** An untrusted key. */
    public static final SigningKey STRANGER = Fixtures.key(io.edgeloop.ota.trust.KeyAlgorithm.ED25519, 3);
    /** A key listed in the trust root but revoked. */
    public static final SigningKey REVOKED_TRUST_KEY = Fixtures.key(io.edgeloop.ota.trust.KeyAlgorithm.ED25519, 4);

    /**
     * A hostile bundle and the check that must refuse it.
     *
     * @param name     the attack
     * @param bundle   the bytes
     * @param expected the check
     */
    public record Case(String name, byte[] bundle, Check expected) {
    }

    private HostileBundles() {
    }

    /** @return the trust root the cases assume: 2 of {A, B}, with {@link #REVOKED_TRUST_KEY} revoked */
    public static io.edgeloop.ota.trust.TrustRoot trust() {
        return Fixtures.trust(2, A, B, REVOKED_TRUST_KEY).toBuilder().revoke(REVOKED_TRUST_KEY.keyId()).build();
    }

    /** @return a valid bundle for the device: sequence 7, epoch 1, artifacts for avr8, cortex-m3, jvm */
    public static Fixtures.Draft good() {
        return Fixtures.draft("har", 7, 1, 42, TargetProfile.AVR8, TargetProfile.CORTEX_M3, TargetProfile.JVM);
    }

    /** @return every case */
    public static List<Case> all() {
        List<Case> c = new ArrayList<>();
        byte[] good = good().sign(A, B);
        byte[] manifest = good().build().canonicalBytes();
        byte[] signed = good().build().signedBytes();

        byte[] model = Fixtures.model(42);
        model[model.length - 3] ^= 1;
        c.add(new Case("tampered artifact", replace(good, "artifacts/cortex-m3/model.json", model), Check.DIGEST));
        String ms = new String(manifest, StandardCharsets.UTF_8).replace("\"sequence\":7", "\"sequence\":9");
        c.add(new Case("tampered manifest", replace(good, "manifest.json", ms.getBytes(StandardCharsets.UTF_8)),
                Check.SIGNATURE_INVALID));
        c.add(new Case("signature by unknown keys", good().sign(STRANGER), Check.UNKNOWN_KEY));
        c.add(new Case("signature by a revoked key", good().sign(A, REVOKED_TRUST_KEY), Check.REVOKED_KEY));
        c.add(new Case("too few signatures", good().sign(A), Check.THRESHOLD));
        SignatureRecord sa = A.signRecord(signed);
        c.add(new Case("one key's signature repeated", replace(good, "signatures.json", sigs(List.of(sa, sa))),
                Check.THRESHOLD));
        Fixtures.Draft exp = good();
        exp.manifest.createdAt(Fixtures.NOW.minusSeconds(7200)).expiresAt(Fixtures.NOW.minusSeconds(1));
        c.add(new Case("expired bundle", exp.sign(A, B), Check.EXPIRED));
        c.add(new Case("another model's validly signed bundle at a far higher sequence (substitution)",
                Fixtures.draft("door-sensor", 40, 1, 42, TargetProfile.CORTEX_M3).sign(A, B), Check.MODEL_NAME));
        c.add(new Case("sequence below the device's", Fixtures.draft("har", 3, 1, 42, TargetProfile.CORTEX_M3).sign(A, B),
                Check.ROLLBACK));
        c.add(new Case("replay of the installed bundle", Fixtures.draft("har", 5, 1, 42, TargetProfile.CORTEX_M3)
                .sign(A, B), Check.ROLLBACK));
        c.add(new Case("security epoch below the device's", Fixtures.draft("har", 9, 0, 42, TargetProfile.CORTEX_M3)
                .sign(A, B), Check.SECURITY_EPOCH));
        c.add(new Case("artifact for another hardware variant", Fixtures.draft("har", 7, 1, 42, TargetProfile.AVR8,
                TargetProfile.JVM).sign(A, B), Check.TARGET));
        byte[] other = Fixtures.model(99);
        c.add(new Case("artifacts mixed from two bundles", replace(good, "artifacts/cortex-m3/model.json",
                other), Check.DIGEST));
        for (String n : List.of("../../etc/cron.d/evil", "artifacts/../../evil", "/etc/passwd")) {
            c.add(new Case("path " + n, with(good, Fixtures.Raw.file(n, new byte[4])), Check.PATH));
        }
        c.add(new Case("symlink", with(good, Fixtures.Raw.special("artifacts/l", TarConstants.LF_SYMLINK, "/etc/passwd")),
                Check.ENTRY_TYPE));
        c.add(new Case("hard link", with(good, Fixtures.Raw.special("artifacts/h", TarConstants.LF_LINK, "manifest.json")),
                Check.ENTRY_TYPE));
        c.add(new Case("device file", with(good, Fixtures.Raw.special("artifacts/d", TarConstants.LF_CHR, null)),
                Check.ENTRY_TYPE));
        c.add(new Case("duplicate entry", with(good, Fixtures.Raw.file("manifest.json", manifest)),
                Check.DUPLICATE_ENTRY));
        c.add(new Case("decompression bomb", gzip(with(good, Fixtures.Raw.file("artifacts/z.bin", new byte[16 << 20]))),
                Check.SIZE_LIMIT));
        c.add(new Case("truncated archive", Arrays.copyOf(good, 1500), Check.ARCHIVE));
        byte[] junk = new byte[8192];
        new Random(1).nextBytes(junk);
        c.add(new Case("garbage", junk, Check.ARCHIVE));
        c.add(new Case("signatures missing", without(good, "signatures.json"), Check.SIGNATURES_MISSING));
        byte[] huge = new byte[(4 << 20) + 1];
        Arrays.fill(huge, (byte) ' ');
        c.add(new Case("oversized manifest", replace(good, "manifest.json", huge), Check.SIZE_LIMIT));
        Fixtures.Draft wrongGolden = Fixtures.draft("har", 8, 1, 42, TargetProfile.CORTEX_M3);
        GoldenVectors g = Fixtures.golden(42, 8);
        int[][] in = new int[g.size()][];
        int[][] out = new int[g.size()][];
        for (int i = 0; i < g.size(); i++) {
            in[i] = g.input(i);
            out[i] = g.output(i);
        }
        out[3][1] += 1;
        BundleManifest wm = wrongGolden.build();
        Fixtures.Draft d2 = Fixtures.draft("har", 8, 1, 42);
        d2.manifest.lineage(wm.lineage());
        d2.artifacts.putAll(wrongGolden.artifacts);
        wm.artifacts().forEach(a -> d2.manifest.artifact(io.edgeloop.ota.bundle.ArtifactEntry.builder().path(a.path())
                .sha256(a.sha256()).size(a.size()).target(a.target()).hardwareVariant(a.hardwareVariant())
                .runtime(a.runtime()).runtimeVersions(a.runtimeVersions().toString()).scheme(a.scheme())
                .inputSize(a.inputSize()).outputSize(a.outputSize()).golden(new GoldenVectors(in, out)).build()));
        c.add(new Case("model failing its golden vectors", d2.sign(A, B), Check.GOLDEN_VECTORS));
        return c;
    }

    /**
     * @param sigs signatures
     * @return a signatures.json
     */
    public static byte[] sigs(List<SignatureRecord> sigs) {
        var o = CanonicalJson.object();
        o.put("formatVersion", "1.0");
        var arr = o.putArray("signatures");
        sigs.forEach(s -> arr.add(s.toJson()));
        return CanonicalJson.bytes(o);
    }

    static byte[] replace(byte[] bundle, String name, byte[] data) {
        List<Fixtures.Raw> out = new ArrayList<>();
        for (Fixtures.Raw r : Fixtures.entriesOf(bundle)) {
            out.add(r.entry.getName().equals(name) ? Fixtures.Raw.file(name, data) : r);
        }
        return Fixtures.rawTar(out);
    }

    static byte[] without(byte[] bundle, String name) {
        List<Fixtures.Raw> out = new ArrayList<>();
        for (Fixtures.Raw r : Fixtures.entriesOf(bundle)) {
            if (!r.entry.getName().equals(name)) {
                out.add(r);
            }
        }
        return Fixtures.rawTar(out);
    }

    static byte[] with(byte[] bundle, Fixtures.Raw extra) {
        List<Fixtures.Raw> out = new ArrayList<>(Fixtures.entriesOf(bundle));
        out.add(extra);
        return Fixtures.rawTar(out);
    }

    static byte[] gzip(byte[] b) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(bos)) {
            g.write(b);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bos.toByteArray();
    }
}
