package io.edgeloop.tck.runtime;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.runtime.IntegerModel;
import io.edgeloop.api.runtime.ModelRuntime;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;

/**
 * A tiny integer linear runtime for the kit's own tests: artifact = "TLIN", int inputs, int outputs, int zeroPoint,
 * then outputs x inputs int weights. Output j = zeroPoint + sum(w[j][i] * x[i]). Its correct predictClass subtracts
 * the zero point; the {@code fault} setting turns on one defect: {@code default-rule} (keeps the interface's rule,
 * wrong with a zero point), {@code racy} (shared scratch array), {@code unchecked} (garbage gives an unchecked
 * exception, wrong lengths are not checked), {@code shared-out} ({@code predict(int[])} returns one array of the
 * model's, the reviewer's RuntimeSharedOut of review rev-s8-tck).
 */
public final class TinyLinearRuntimeProvider implements ModelRuntimeProvider {
    @Override
    public String name() {
        return "tiny-linear";
    }

    @Override
    public ModelRuntime create(ComponentConfig config) {
        config.requireKnownKeys(name() + " runtime", java.util.Set.of("fault"));
        String fault = config.getString("fault", "none");
        return new ModelRuntime() {
            @Override
            public String version() {
                return "1.0.0";
            }

            @Override
            public IntegerModel load(byte[] artifact) throws IOException {
                DataInputStream in = new DataInputStream(new ByteArrayInputStream(artifact));
                try {
                    byte[] magic = new byte[4];
                    in.readFully(magic);
                    if (!Arrays.equals(magic, "TLIN".getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
                        if (fault.equals("unchecked")) {
                            throw new IllegalStateException("bad"); // BUG: unchecked instead of IOException
                        }
                        throw new IOException("not a tiny-linear artifact: bad magic");
                    }
                    int n = in.readInt();
                    int k = in.readInt();
                    int zp = in.readInt();
                    if (n < 1 || k < 1 || n > 1000 || k > 1000) {
                        throw new IOException("not a tiny-linear artifact: sizes " + n + "x" + k);
                    }
                    int[][] w = new int[k][n];
                    for (int j = 0; j < k; j++) {
                        for (int i = 0; i < n; i++) {
                            w[j][i] = in.readInt();
                        }
                    }
                    return new Model(n, k, zp, w, fault);
                } catch (EOFException e) {
                    throw new IOException("truncated tiny-linear artifact", e);
                }
            }
        };
    }

    /** Builds an artifact. */
    public static byte[] artifact(int zeroPoint, int[][] w) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream o = new java.io.DataOutputStream(b);
        try {
            o.writeBytes("TLIN");
            o.writeInt(w[0].length);
            o.writeInt(w.length);
            o.writeInt(zeroPoint);
            for (int[] row : w) {
                for (int x : row) {
                    o.writeInt(x);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    private static final class Model implements IntegerModel {
        private final int n;
        private final int k;
        private final int zp;
        private final int[][] w;
        private final String fault;
        private final long[] scratch;
        private final int[] out;

        Model(int n, int k, int zp, int[][] w, String fault) {
            this.n = n;
            this.k = k;
            this.zp = zp;
            this.w = w;
            this.fault = fault;
            this.scratch = new long[k];
            this.out = new int[k];
        }

        @Override
        public int[] predict(int[] input) {
            if (!fault.equals("shared-out")) {
                return IntegerModel.super.predict(input);
            }
            predict(input, out); // BUG when shared-out: the same array for every call, handed out
            return out;
        }

        @Override
        public int inputSize() {
            return n;
        }

        @Override
        public int outputSize() {
            return k;
        }

        @Override
        public void predict(int[] input, int[] output) {
            if (!fault.equals("unchecked") && (input.length != n || output.length != k)) {
                throw new IllegalArgumentException("expected " + n + " inputs and " + k + " outputs, got "
                        + input.length + " and " + output.length);
            }
            long[] acc = fault.equals("racy") ? scratch : new long[k]; // BUG when racy: shared scratch
            for (int j = 0; j < k; j++) {
                acc[j] = zp;
                for (int i = 0; i < Math.min(n, input.length); i++) {
                    acc[j] += (long) w[j][i] * input[i];
                    Thread.yield();
                }
            }
            for (int j = 0; j < Math.min(k, output.length); j++) {
                output[j] = (int) acc[j];
            }
        }

        @Override
        public int predictClass(int[] input) {
            int[] out = predict(input);
            if (fault.equals("default-rule") || k > 1) {
                return IntegerModel.super.predictClass(input); // BUG when default-rule: ignores the zero point
            }
            return out[0] > zp ? 1 : 0;
        }
    }
}
