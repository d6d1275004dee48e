package io.edgeloop.quantize.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ModelReader}: what a file that is no model is called. */
class ModelReaderTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("a CSV given as the model is named as neither a train model nor ONNX, with its size, its first line "
            + "and Tribuo's cause (it used to be only 'Cannot read Tribuo model ...: Protocol message tag had invalid "
            + "wire type.')")
    void fileThatIsNoModelIsNamedAsSuch() throws IOException {
        Path csv = Files.writeString(dir.resolve("datatraining.txt"), "\"date\",\"Temperature\",\"Humidity\",\"Light\","
                + "\"CO2\",\"HumidityRatio\",\"Occupancy\"\n\"1\",\"2015-02-04 17:51:00\",23.18,27.272,426,721.25,"
                + "0.00479298817650529,1\n");
        IOException e = assertThrows(IOException.class, () -> ModelReader.read(csv));
        assertEquals("Model file " + csv + " (" + Files.size(csv) + " bytes) is neither a model written by 'edgeloop "
                + "train' nor an ONNX file (it is text, starting '\"date\",\"Temperature\",\"Humidity\",\"Light\","
                + "\"CO2\",\"HumidityRatio...'); read as a Tribuo model: Protocol message tag had invalid wire type.",
                e.getMessage());
        assertTrue(e.getCause() != null && e.getCause().getMessage().startsWith("Cannot read Tribuo model"),
                "Tribuo's failure stays the cause");
        Path binary = Files.write(dir.resolve("x.model"), new byte[] {(byte) 0xff, 1, 2, 3});
        e = assertThrows(IOException.class, () -> ModelReader.read(binary));
        assertTrue(e.getMessage().startsWith("Model file " + binary + " (4 bytes) is neither a model written by "
                + "'edgeloop train' nor an ONNX file; read as a Tribuo model: "), e.getMessage());
    }
}
