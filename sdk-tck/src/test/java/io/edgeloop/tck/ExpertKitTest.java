package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgeloop.api.label.Expert;
import io.edgeloop.api.label.ExpertQuery;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The expert kit against a table expert and broken copies of it, one defect each. */
@DisplayName("The expert contract kit")
class ExpertKitTest {
    /** Answers from a table of gold labels; "offline" throws IOException; a fault switch turns on one defect. */
    static final class TableExpert implements Expert {
        private final int[] gold;
        private final boolean offline;
        private final String fault;

        TableExpert(int[] gold, boolean offline, String fault) {
            this.gold = gold.clone();
            this.offline = offline;
            this.fault = fault;
        }

        @Override
        public String name() {
            return "table";
        }

        @Override
        public Optional<Integer> answer(ExpertQuery q) throws IOException {
            if (offline) {
                if (fault.equals("unchecked")) {
                    throw new UncheckedIOException(new IOException("gold table offline")); // BUG: unchecked
                }
                throw new IOException("gold table offline");
            }
            if (fault.equals("never")) {
                return Optional.empty(); // BUG: never answers
            }
            if (q.row() >= gold.length) {
                return Optional.empty();
            }
            // BUG when off-by-one: class indices from 1
            return Optional.of(fault.equals("off-by-one") ? gold[q.row()] + 1 : gold[q.row()]);
        }
    }

    /** The correct table expert. */
    static class Table extends ExpertContractTest {
        String fault() {
            return "none";
        }

        @Override
        protected Expert expert() {
            return new TableExpert(new int[] {0, 1, 1, 0}, false, fault());
        }

        @Override
        protected List<ExpertQuery> queries() {
            return List.of(new ExpertQuery(0, new double[] {0.7, 0.3}, new int[] {0, -1}, new double[] {20.5}),
                    new ExpertQuery(1, new double[] {0.2, 0.8}, new int[] {1, 1}, new double[] {26.0}),
                    new ExpertQuery(2, new double[] {0.5, 0.5}, new int[] {-1, -1}, new double[] {23.1}));
        }

        @Override
        protected Expert unreachableExpert() {
            return new TableExpert(new int[0], true, fault());
        }
    }

    /** Gives class indices from 1. */
    static class OffByOne extends Table {
        @Override
        String fault() {
            return "off-by-one";
        }
    }

    /** Throws an unchecked exception when offline. */
    static class Unchecked extends Table {
        @Override
        String fault() {
            return "unchecked";
        }
    }

    /** Never answers. */
    static class Never extends Table {
        @Override
        String fault() {
            return "never";
        }
    }

    @Test
    @DisplayName("passes the correct expert")
    void passesTable() {
        KitResults r = KitResults.run(Table.class);
        assertEquals(Set.of(), r.failed(), r.describeFailures());
        assertEquals(3, r.tests.succeeded().count());
    }

    @Test
    @DisplayName("fails an expert whose answers are not class indices of the query")
    void failsOffByOne() {
        assertEquals(Set.of("answersInRange"), KitResults.run(OffByOne.class).failed());
    }

    @Test
    @DisplayName("fails an expert that throws an unchecked exception when it cannot be reached")
    void failsUnchecked() {
        assertEquals(Set.of("unreachableThrowsIOException"), KitResults.run(Unchecked.class).failed());
    }

    @Test
    @DisplayName("fails an expert that never answers")
    void failsNever() {
        assertEquals(Set.of("answersInRange"), KitResults.run(Never.class).failed());
    }
}
