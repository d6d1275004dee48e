package io.edgeloop.examples.demo.data;

import io.edgeloop.api.record.SensorRecord;
import io.edgeloop.examples.demo.report.DemoResults;
import java.util.List;
import java.util.Optional;

/**
 * What steps 1 and 2 handed to labelling: the records that reached the cloud side, and the delivery figures
 * when the buffered, forwarded path ran.
 *
 * <p>Thread-safe: immutable.
 *
 * @param records the ingested records, device by device in sequence order
 * @param figures delivery figures, empty when the records did not go through buffers and a transport
 * @param steps   the status of steps 1 and 2
 */
public record DataPathResult(List<SensorRecord> records, Optional<DemoResults.Ingest> figures,
        List<DemoResults.Step> steps) {
    /** Copies the lists. */
    public DataPathResult {
        records = List.copyOf(records);
        steps = List.copyOf(steps);
    }
}
