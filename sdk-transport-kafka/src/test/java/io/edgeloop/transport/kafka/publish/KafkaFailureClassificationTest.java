package io.edgeloop.transport.kafka.publish;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class KafkaFailureClassificationTest {
    @Test
    @DisplayName("only size limits refuse the records; auth, ACL and topic refusals are retryable endpoint problems")
    void onlySizeLimitsRefuseRecords() {
        assertTrue(KafkaTransport.refusesRecords(new RecordTooLargeException("too large")));
        assertTrue(KafkaTransport.refusesRecords(new RecordBatchTooLargeException("too large")));
        assertFalse(KafkaTransport.refusesRecords(new TopicAuthorizationException(Set.of("fleet"))));
        assertFalse(KafkaTransport.refusesRecords(new ClusterAuthorizationException("idempotent write denied")));
        assertFalse(KafkaTransport.refusesRecords(new SaslAuthenticationException("bad password")));
        assertFalse(KafkaTransport.refusesRecords(new InvalidTopicException("bad name")));
    }
}
