package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfileProvider;
import io.edgeloop.tck.target.BuiltInClaimingProvider;
import io.edgeloop.tck.target.DriftingBoardProvider;
import io.edgeloop.tck.target.TckBoardProvider;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The target profile provider kit against a correct board and deliberately broken ones. */
@DisplayName("The target profile provider contract kit")
class TargetProfileKitTest {
    /** A correct board, registered in the test resources' META-INF/services. */
    static class Board extends TargetProfileProviderContractTest {
        @Override
        protected TargetProfileProvider provider() {
            return new TckBoardProvider();
        }
    }

    /** A new profile on every call. */
    static class Drifting extends TargetProfileProviderContractTest {
        @Override
        protected TargetProfileProvider provider() {
            return new DriftingBoardProvider();
        }
    }

    /** A provider of the built-in id cortex-m3. */
    static class ClaimsBuiltIn extends TargetProfileProviderContractTest {
        @Override
        protected TargetProfileProvider provider() {
            return new BuiltInClaimingProvider();
        }
    }

    @Test
    @DisplayName("passes a correct board")
    void passesACorrectBoard() {
        KitResults r = KitResults.run(Board.class);
        assertEquals(Set.of(), r.failed(), r.describeFailures());
        assertTrue(r.aborted().contains("refusesUnknownKey"), r.aborted().toString());
    }

    @Test
    @DisplayName("fails a board whose profile changes between calls, and one that claims a built-in id")
    void failsBrokenBoards() {
        KitResults drifting = KitResults.run(Drifting.class);
        assertTrue(drifting.failed().contains("profileIsStable"), drifting.failed() + drifting.describeFailures());
        assertTrue(drifting.failed().contains("resolvable"), drifting.failed() + drifting.describeFailures());
        KitResults builtIn = KitResults.run(ClaimsBuiltIn.class);
        assertTrue(builtIn.failed().contains("idIsTheName"), builtIn.failed() + builtIn.describeFailures());
        assertTrue(builtIn.describeFailures().contains("is a built-in profile id"), builtIn.describeFailures());
        assertTrue(builtIn.failed().contains("resolvable"), builtIn.failed() + builtIn.describeFailures());
    }
}
