// Adapted from the reviewer's outside-team project (/tmp/rev8-int/app, com.example.out.Models, review rev-s8-tck of
// 2026-11-30): a linear "lin8" quantizer and the deliberately broken variants that passed the quantizer kit before
// that review's fixes; each must now fail the kit check written for it.
package io.edgeloop.tck.quant;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.api.quantize.QuantizationRequest;
import io.edgeloop.api.quantize.QuantizedModel;
import io.edgeloop.api.quantize.Quantizer;
import io.edgeloop.api.quantize.QuantizerProvider;
import io.edgeloop.api.target.TargetProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * A linear quantizer for the kit's own tests. Model file: text, first line "inputs outputs", then one line per output
 * of its input weights and a bias. Weights are scaled by 16, biases by 16 times 127 over the calibration's largest
 * absolute value. Thread-safe and stateless in the correct variant.
 */
public final class LinearQuantizers {
    private LinearQuantizers() {
    }

    enum Fault { NONE, SHARED_OUT, STATEFUL, WRONG_SCHEME, SWALLOW }

    /** Writes a model file the quantizer reads: 3 inputs, 2 outputs. */
    public static Path writeModel(Path dir) throws IOException {
        return Files.writeString(dir.resolve("linear.model"), "3 2\n0.5 -0.25 1.0 0.75\n-1.0 0.5 0.25 -0.5\n");
    }

    /** A linear integer model: out[j] = b[j] + sum_i w[j][i] * x[i]. */
    static final class Linear implements QuantizedModel {
        final int nIn;
        final int nOut;
        final int[] w;
        final int[] b;
        final boolean sharedOut;
        final int[] buf;
        final TargetProfile target;
        final Provenance prov;
        final String scheme;

        Linear(int nIn, int nOut, int[] w, int[] b, boolean sharedOut, TargetProfile target, Provenance prov,
                String scheme) {
            this.nIn = nIn;
            this.nOut = nOut;
            this.w = w;
            this.b = b;
            this.sharedOut = sharedOut;
            this.buf = new int[nOut];
            this.target = target;
            this.prov = prov;
            this.scheme = scheme;
        }

        @Override
        public int inputSize() {
            return nIn;
        }

        @Override
        public int outputSize() {
            return nOut;
        }

        @Override
        public void predict(int[] in, int[] out) {
            if (in.length != nIn || out.length != nOut) {
                throw new IllegalArgumentException("lengths " + in.length + "/" + out.length);
            }
            for (int j = 0; j < nOut; j++) {
                int s = b[j];
                for (int i = 0; i < nIn; i++) {
                    s += w[j * nIn + i] * in[i];
                }
                out[j] = s;
            }
        }

        @Override
        public int[] predict(int[] in) {
            if (!sharedOut) {
                return QuantizedModel.super.predict(in);
            }
            predict(in, buf); // BUG (shared-out): one output array for every call, handed out
            return buf;
        }

        @Override
        public String scheme() {
            return scheme;
        }

        @Override
        public TargetProfile target() {
            return target;
        }

        @Override
        public Provenance provenance() {
            return prov;
        }

        @Override
        public void writeTo(Path dir) throws IOException {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("model.txt"), nIn + " " + nOut + "\n" + Arrays.toString(w) + "\n"
                    + Arrays.toString(b) + "\n" + prov.createdAt().map(Instant::toString).orElse("") + "\n");
        }
    }

    static final class Lin8 implements Quantizer {
        final Fault fault;
        final String name;
        Double cachedScale;

        Lin8(Fault fault, String name) {
            this.fault = fault;
            this.name = name;
        }

        @Override
        public String scheme() {
            return fault == Fault.WRONG_SCHEME ? "int8" : name; // BUG (wrong-scheme): not the provider's name
        }

        @Override
        public QuantizedModel quantize(QuantizationRequest r) throws IOException {
            List<String> lines;
            boolean missing = false;
            try {
                lines = Files.readAllLines(r.modelFile());
            } catch (IOException e) {
                if (fault != Fault.SWALLOW) {
                    throw e;
                }
                lines = List.of("1 1", "0 0"); // BUG (swallow): a missing model file quietly gives a zero model
                missing = true;
            }
            String[] head = lines.get(0).trim().split("\\s+");
            int nIn = Integer.parseInt(head[0]);
            int nOut = Integer.parseInt(head[1]);
            double max = 1e-9;
            for (double[] row : r.calibration()) {
                for (double v : row) {
                    max = Math.max(max, Math.abs(v));
                }
            }
            double scale = 127 / max;
            if (fault == Fault.STATEFUL) {
                if (cachedScale == null) {
                    cachedScale = scale; // BUG (stateful): the first request's scale is kept for every later one
                }
                scale = cachedScale;
            }
            int[] w = new int[nIn * nOut];
            int[] b = new int[nOut];
            for (int j = 0; j < nOut; j++) {
                String[] f = lines.get(1 + j).trim().split("\\s+");
                for (int i = 0; i < nIn; i++) {
                    w[j * nIn + i] = (int) Math.round(Double.parseDouble(f[i]) * 16);
                }
                b[j] = (int) Math.round(Double.parseDouble(f[nIn]) * 16 * scale);
            }
            Provenance.Builder p = Provenance.builder().kind("quantized-model").producer(getClass().getName())
                    .setting("scale", scale);
            if (missing) {
                p.input("model", "0".repeat(64), 0);
            } else {
                p.input("model", Sha256.hex(r.modelFile()), Files.size(r.modelFile()));
            }
            r.createdAt().ifPresent(p::createdAt);
            for (Provenance parent : r.parents()) {
                p.parent(parent);
            }
            return new Linear(nIn, nOut, w, b, fault == Fault.SHARED_OUT, r.target(), p.build(), name);
        }
    }

    abstract static class Base implements QuantizerProvider {
        abstract Fault fault();

        @Override
        public String name() {
            return fault() == Fault.NONE ? "tck-lin8" : "tck-lin8-" + fault().name().toLowerCase(java.util.Locale.ROOT)
                    .replace('_', '-');
        }

        @Override
        public Quantizer create(ComponentConfig c) {
            c.requireKnownKeys(name() + " quantizer", java.util.Set.of());
            return new Lin8(fault(), name());
        }
    }

    /** The correct quantizer. */
    public static final class Correct extends Base {
        @Override
        Fault fault() {
            return Fault.NONE;
        }
    }

    /** Its models return one shared output array from predict(int[]). */
    public static final class SharedOut extends Base {
        @Override
        Fault fault() {
            return Fault.SHARED_OUT;
        }
    }

    /** Keeps the first request's calibration scale for every later request. */
    public static final class Stateful extends Base {
        @Override
        Fault fault() {
            return Fault.STATEFUL;
        }
    }

    /** Reports "int8" as its scheme although the provider is "tck-lin8-wrong-scheme". */
    public static final class WrongScheme extends Base {
        @Override
        Fault fault() {
            return Fault.WRONG_SCHEME;
        }
    }

    /** Returns a zero model for a missing model file instead of throwing IOException. */
    public static final class Swallow extends Base {
        @Override
        Fault fault() {
            return Fault.SWALLOW;
        }
    }
}
