package io.edgeloop.api.label;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ExpertQuery")
class ExpertQueryTest {
    @Test
    @DisplayName("is equal, hashes and prints by content")
    void valueSemantics() {
        ExpertQuery a = new ExpertQuery(4, new double[] {0.2, 0.8}, new int[] {1, -1}, new double[] {3.0});
        ExpertQuery b = new ExpertQuery(4, new double[] {0.2, 0.8}, new int[] {1, -1}, new double[] {3.0});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals("ExpertQuery[row=4, probabilities=[0.2, 0.8], votes=[1, -1], features=[3.0]]", a.toString());
        assertNotEquals(a, new ExpertQuery(4, new double[] {0.2, 0.8}, new int[] {1, 0}, new double[] {3.0}));
        assertNotEquals(a, new ExpertQuery(5, new double[] {0.2, 0.8}, new int[] {1, -1}, new double[] {3.0}));
    }
}
