package io.edgeloop.transport.kafka;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.api.record.SensorRecordCodec;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import java.util.ArrayList;
import java.util.List;

/** Envelopes carrying encoded sensor records, as a device buffer would hold them. */
final class SensorEnvelopes {
    private SensorEnvelopes() {
    }

    static SensorRecord record(String device, long seq) {
        return SensorRecord.builder().deviceId(device).stream("accel").timestampMillis(1_700_000_000_000L + seq * 10)
                .sequence(seq).channel("x", seq * 0.5).channel("y", -seq).build();
    }

    static Envelope envelope(String device, long seq) {
        return new Envelope(new IdempotencyKey(device, "accel", 1, seq), 1_700_000_000_000L + seq * 10, 5,
                SensorRecordCodec.encode(record(device, seq)));
    }

    static Batch batch(String device, long first, int count) {
        List<Envelope> list = new ArrayList<>();
        for (long s = first; s < first + count; s++) {
            list.add(envelope(device, s));
        }
        return Batch.of(list);
    }
}
