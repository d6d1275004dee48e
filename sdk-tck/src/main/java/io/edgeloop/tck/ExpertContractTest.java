package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.edgeloop.api.label.Expert;
import io.edgeloop.api.label.ExpertQuery;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Contract tests for {@link Expert} implementations (an expert is wired in by the application, not discovered, so
 * there is no provider to check): a non-blank, stable name; {@code answer} returns a non-null {@link Optional}
 * holding a class index of the query (in {@code [0, probabilities().length)}) or nothing, never an unchecked
 * exception; the expert answers at least one of {@link #queries()} (asked twice, with {@link #answerLater(List)}
 * between, for experts that answer asynchronously such as a file queue worked by people); and an expert that cannot
 * be reached ({@link #unreachableExpert()}) throws {@link IOException}, as the interface documents. An expert that
 * is {@link AutoCloseable} (a file queue holding its lock) is closed at the end of each test.
 *
 * <pre>{@code
 * class MyExpertContractTest extends ExpertContractTest {
 *     protected Expert expert() { return new MyExpert(goldFile); }
 *     protected List<ExpertQuery> queries() { return List.of(new ExpertQuery(0, new double[] {0.4, 0.6},
 *             new int[] {1, -1}, new double[] {21.5, 400})); }
 *     protected Expert unreachableExpert() { return new MyExpert(Path.of("/missing/gold")); }
 * }
 * }</pre>
 *
 * <p>Thread safety: JUnit creates one instance per test method; instances are not shared between threads.
 */
@ExtendWith(ProviderNameOnFailure.class)
public abstract class ExpertContractTest {
    /**
     * Returns a fresh expert under test, ready to answer {@link #queries()}.
     *
     * @return the expert
     * @throws Exception when it cannot be set up
     */
    protected abstract Expert expert() throws Exception;

    /**
     * Returns questions the expert can answer, each with a row, the class probabilities (their length is the number of
     * classes), the votes and the features.
     *
     * @return the queries, not empty
     */
    protected abstract List<ExpertQuery> queries();

    /**
     * Lets answers arrive for questions already asked, for an expert that answers later (a person working a file
     * queue): the kit calls it between its two rounds of questions. The default does nothing.
     *
     * @param asked the queries asked so far
     * @throws Exception when the answers cannot be given
     */
    protected void answerLater(List<ExpertQuery> asked) throws Exception {
    }

    /**
     * Returns an expert that cannot be reached (a queue directory that cannot be written, an input that fails), whose
     * {@code answer} must throw {@link IOException}. The default, null, reports that test as aborted.
     *
     * @return the expert, or null
     * @throws Exception when it cannot be set up
     */
    protected Expert unreachableExpert() throws Exception {
        return null;
    }

    /** Closes an expert that holds resources (a queue's lock), so the next test can open the same kind again. */
    private static void release(Expert e) throws Exception {
        if (e instanceof AutoCloseable c) {
            c.close();
        }
    }

    @Test
    @DisplayName("has a non-blank name that stays the same")
    void hasStableName() throws Exception {
        Expert e = expert();
        try {
            String name = e.name();
            assertTrue(name != null && !name.isBlank(), "name() is blank: it is recorded in provenance");
            assertEquals(name, e.name(), "name() changed between calls");
        } finally {
            release(e);
        }
    }

    @Test
    @DisplayName("answers with a class index of the query or nothing, never null or an unchecked exception, and "
            + "answers at least one query")
    void answersInRange() throws Exception {
        List<ExpertQuery> qs = queries();
        assertFalse(qs.isEmpty(), "queries() is empty: give questions the expert can answer");
        Expert e = expert();
        try {
            assertAnswers(e, qs);
        } finally {
            release(e);
        }
    }

    private void assertAnswers(Expert e, List<ExpertQuery> qs) throws Exception {
        int answered = 0;
        List<ExpertQuery> asked = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (ExpertQuery q : qs) {
                Optional<Integer> a;
                try {
                    a = e.answer(q);
                } catch (RuntimeException x) {
                    throw new AssertionError("answer() threw " + x + " for " + q + ": an expert answers, skips "
                            + "(empty) or throws IOException when it cannot be reached", x);
                }
                assertTrue(a != null, "answer() returned null for " + q + ": return Optional.empty() to skip");
                if (a.isPresent()) {
                    int classes = q.probabilities().length;
                    if (a.get() < 0 || a.get() >= classes) {
                        fail("answer() gave class " + a.get() + " for " + q + ", outside [0, " + classes + ")");
                    }
                    answered++;
                }
                asked.add(q);
            }
            if (round == 0) {
                answerLater(List.copyOf(asked));
            }
        }
        assertTrue(answered > 0, "the expert answered none of " + qs.size() + " queries, asked twice (with "
                + "answerLater() between): the kit cannot check its answers");
    }

    @Test
    @DisplayName("throws IOException, not an unchecked exception, when it cannot be reached (unreachableExpert())")
    void unreachableThrowsIOException() throws Exception {
        Expert e = unreachableExpert();
        Assumptions.assumeTrue(e != null, "override unreachableExpert() to run the unreachable-expert test");
        ExpertQuery q = queries().get(0);
        try {
            Optional<Integer> a = e.answer(q);
            fail("answer() of an unreachable expert returned " + a + " for " + q + ": it must throw IOException");
        } catch (IOException expected) {
            assertTrue(expected.getMessage() != null && !expected.getMessage().isBlank(), "the IOException must say "
                    + "why");
        } catch (RuntimeException x) {
            throw new AssertionError("answer() of an unreachable expert threw " + x + ": Expert documents IOException "
                    + "when the expert cannot be reached", x);
        } finally {
            release(e);
        }
    }
}
