package io.edgeloop.buffer.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DurabilityTest {
    @Test
    @DisplayName("a group delay beyond the limit is refused with a message naming the policy and the limit")
    void groupDelayBeyondTheLimitNamesTheLimit() {
        for (String text : new String[] {"group:99999999999999", "group:86400001", "group:99999999999999999999",
                "group:0"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durability.parse(text));
            assertTrue(e.getMessage().contains("'" + text + "'") && e.getMessage().contains("1 to 86400000"),
                    e.getMessage());
        }
        assertEquals(Duration.ofDays(1), Durability.parse("group:86400000").maxDelay());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Durability.groupCommit(Duration.ofMillis(99999999999999L), 1));
        assertTrue(e.getMessage().contains("at most 86400000 ms"), e.getMessage());
    }
}
