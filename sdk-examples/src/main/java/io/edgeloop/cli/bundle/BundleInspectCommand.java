package io.edgeloop.cli.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.ota.bundle.BundleArchive;
import io.edgeloop.ota.bundle.BundleLimits;
import io.edgeloop.ota.bundle.BundleVerificationException;
import io.edgeloop.ota.json.CanonicalJson;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code edgeloop bundle inspect}: prints a bundle's entries, manifest (golden vectors summarised) and signers
 * without verifying them. The archive is read with the same hardened reader devices use.
 *
 * <p>Not thread-safe: one instance per invocation.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print a bundle's entries, manifest and signatures (does not verify; use 'bundle verify').")
public final class BundleInspectCommand implements Callable<Integer> {
    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The bundle.")
    private Path file;

    @Override
    public Integer call() throws Exception {
        if (Files.isDirectory(file)) {
            throw new java.io.IOException(file + " is a directory, not a bundle file");
        }
        BundleInput input = BundleInput.read(file); // read whole: a pipe cannot seek
        BundleArchive a;
        try (InputStream in = new java.io.ByteArrayInputStream(input.bytes())) {
            a = BundleArchive.read(in, BundleLimits.DEFAULT);
        } catch (BundleVerificationException e) {
            // the reader sees a stream, not the file: name it and its size (a copy cut short shows in the size)
            throw new java.io.IOException(file + " (" + input.bytes().length + " bytes) is not a readable bundle: "
                    + e.getMessage(), e);
        }
        ObjectMapper pretty = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode out = CanonicalJson.object();
        out.put("file", file.toString());
        out.put("gzip", a.compressed());
        ObjectNode entries = out.putObject("entries");
        for (Map.Entry<String, byte[]> e : a.entries().entrySet()) {
            entries.put(e.getKey(), e.getValue().length);
        }
        byte[] m = a.entries().get("manifest.json");
        if (m != null) {
            JsonNode manifest = entryJson(m, "manifest.json");
            for (JsonNode art : manifest.path("artifacts")) {
                JsonNode g = art.get("golden");
                if (g instanceof ObjectNode) {
                    int n = g.path("inputs").size();
                    ((ObjectNode) art).put("golden", n + " vectors");
                }
            }
            out.set("manifest", manifest);
        }
        byte[] s = a.entries().get("signatures.json");
        if (s != null) {
            out.set("signatures", entryJson(s, "signatures.json").path("signatures"));
        }
        out.put("note", "not verified: run 'edgeloop bundle verify FILE --trust TRUST.json --profile TARGET'");
        spec.commandLine().getOut().println(pretty.writeValueAsString(out));
        return 0;
    }

    /** Parses an entry, naming the bundle and the entry when it is not JSON (a damaged or bit-flipped bundle). */
    private JsonNode entryJson(byte[] bytes, String entry) throws java.io.IOException {
        try {
            return CanonicalJson.parse(bytes);
        } catch (java.io.IOException e) {
            throw new java.io.IOException(file + ": entry " + entry + " is damaged: " + e.getMessage()
                    + " ('edgeloop bundle verify' checks its signature)", e);
        }
    }
}
