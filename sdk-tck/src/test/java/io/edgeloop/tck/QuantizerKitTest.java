package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.quantize.QuantizationRequest;
import io.edgeloop.api.quantize.QuantizedModel;
import io.edgeloop.api.quantize.QuantizerProvider;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.tck.quant.LinearQuantizers;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quantizer kit against the reviewer's linear quantizer (review rev-s8-tck) and its broken variants, each of
 * which passed every kit test before that review's fixes.
 */
@DisplayName("The quantizer contract kit")
class QuantizerKitTest {

    /** The correct linear quantizer. */
    static class Lin8 extends QuantizerContractTest {
        @TempDir
        Path dir;

        @Override
        protected QuantizerProvider provider() {
            return new LinearQuantizers.Correct();
        }

        @Override
        protected QuantizationRequest request() throws Exception {
            double[][] calibration = new double[20][3];
            Random r = new Random(1);
            for (double[] row : calibration) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = r.nextGaussian() * 3;
                }
            }
            return QuantizationRequest.builder().modelFile(LinearQuantizers.writeModel(dir)).calibration(calibration)
                    .target(TargetProfile.AVR8).build();
        }

        @Override
        protected int[][] validInputs(QuantizedModel model, int count, long seed) {
            Random r = new Random(seed);
            int[][] out = new int[count][model.inputSize()];
            for (int[] v : out) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = r.nextInt(256) - 128;
                }
            }
            return out;
        }
    }

    /** Its models hand out one output array. */
    static class SharedOut extends Lin8 {
        @Override
        protected QuantizerProvider provider() {
            return new LinearQuantizers.SharedOut();
        }
    }

    /** Keeps the first request's scale. */
    static class Stateful extends Lin8 {
        @Override
        protected QuantizerProvider provider() {
            return new LinearQuantizers.Stateful();
        }
    }

    /** scheme() is not the provider's name. */
    static class WrongScheme extends Lin8 {
        @Override
        protected QuantizerProvider provider() {
            return new LinearQuantizers.WrongScheme();
        }
    }

    /** A missing model file gives a zero model. */
    static class Swallow extends Lin8 {
        @Override
        protected QuantizerProvider provider() {
            return new LinearQuantizers.Swallow();
        }
    }

    @Test
    @DisplayName("passes the correct quantizer")
    void passesCorrect() {
        KitResults r = KitResults.run(Lin8.class);
        assertEquals(Set.of(), r.failed(), r.describeFailures());
        assertEquals(Set.of("isDeclaredInModuleInfo"), r.aborted());
        assertEquals(17, r.tests.succeeded().count());
    }

    @Test
    @DisplayName("fails a quantizer whose models return one shared output array, every time")
    void failsSharedOut() {
        for (int run = 0; run < 3; run++) {
            KitResults r = KitResults.run(SharedOut.class);
            // predictReturnsOwnArrays catches it deterministically; the concurrency checks catch it only when the
            // threads happen to interleave (a loaded CI machine may run them one after another)
            assertTrue(r.failed().contains("predictReturnsOwnArrays"),
                    "run " + run + ": " + r.failed() + r.describeFailures());
            assertTrue(Set.of("predictReturnsOwnArrays", "isThreadSafe", "quantizesConcurrently")
                    .containsAll(r.failed()), r.failed() + r.describeFailures());
        }
    }

    @Test
    @DisplayName("fails a quantizer that keeps the first request's calibration for later requests")
    void failsStateful() {
        KitResults r = KitResults.run(Stateful.class);
        assertEquals(Set.of("reusesOneInstance", "quantizesConcurrently"), r.failed(), r.describeFailures());
        assertTrue(r.describeFailures().contains("keeps state between requests"), r.describeFailures());
    }

    @Test
    @DisplayName("fails a quantizer whose scheme() is not its provider's name")
    void failsWrongScheme() {
        KitResults r = KitResults.run(WrongScheme.class);
        assertEquals(Set.of("schemeIsProviderName"), r.failed(), r.describeFailures());
    }

    @Test
    @DisplayName("fails a quantizer that returns a model for a missing model file")
    void failsSwallow() {
        KitResults r = KitResults.run(Swallow.class);
        assertEquals(Set.of("refusesMissingModelFile"), r.failed(), r.describeFailures());
    }
}
