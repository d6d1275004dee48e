package io.edgeloop.examples.demo.report;

import io.edgeloop.examples.demo.report.DemoResults.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Writes {@code report.html}: one self-contained page (inline CSS and inline SVG, no scripts, fonts, images or
 * links to fetch) that shows a demo run at a glance: headline figures, six charts (buffer fill and outages, LF
 * coverage and accuracy, label model against gold, float against quantized accuracy per variant, model size per
 * target, rollout waves), the per-variant table and each step's status. A chart whose step did not run says why
 * in its place. Only figures from {@link DemoResults} appear; no wall-clock times, so the same run gives the same
 * bytes.
 *
 * <p>Thread-safe: stateless.
 */
public final class ReportHtml {
    private static final String BLUE = "#2563eb";
    private static final String ORANGE = "#ea580c";
    private static final String GREEN = "#16a34a";
    private static final String RED = "#dc2626";
    private static final String GREY = "#9ca3af";
    private static final String PURPLE = "#7c3aed";
    private static final String[] PALETTE = {BLUE, ORANGE, PURPLE, GREEN, "#0891b2", "#be185d"};

    private ReportHtml() {
    }

    /**
     * Writes the report.
     *
     * @param r    the run's results
     * @param file the file to write
     * @throws IOException when it cannot be written
     */
    public static void write(DemoResults r, Path file) throws IOException {
        Files.writeString(file, render(r), StandardCharsets.UTF_8);
    }

    /**
     * Renders the report.
     *
     * @param r the run's results
     * @return the HTML document
     */
    public static String render(DemoResults r) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>Edgeloop demo report</title><style>").append(CSS).append("</style></head><body>\n");
        DemoResults.RunInfo run = r.run();
        h.append("<header><h1>Edgeloop demo report</h1><p class=\"sub\">")
                .append(run.devices()).append(" simulated devices (avr8, cortex-m3, jvm gateway) &middot; seed ")
                .append(run.seed()).append(" &middot; transport ").append(Svg.esc(run.transport()))
                .append(" &middot; Edgeloop ").append(Svg.esc(run.sdkVersion())).append(" &middot; ")
                .append(Svg.esc(run.environment())).append("</p></header>\n");
        tiles(h, r);
        h.append("<section class=\"grid\">\n");
        card(h, bufferChart(r));
        card(h, lfChart(r));
        card(h, labelChart(r));
        card(h, accuracyChart(r));
        card(h, sizeChart(r));
        card(h, rolloutChart(r));
        h.append("</section>\n");
        variantTable(h, r);
        stepTable(h, r);
        h.append("<footer>Sensor data: UCI Occupancy Detection (Candanedo &amp; Feldheim, Energy and Buildings 112, "
                + "2016), CC BY 4.0. Every figure on this page was measured by this run of <code>edgeloop demo</code>; "
                + "<code>summary.json</code> beside this file holds the same figures.</footer>\n");
        h.append("</body></html>\n");
        return h.toString();
    }

    private static void card(StringBuilder h, String svg) {
        h.append("<div class=\"card\">").append(svg).append("</div>\n");
    }

    private static String pct(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f %%", v) : "n/a";
    }

    private static void tile(StringBuilder h, String label, String value, String note, String tone) {
        h.append("<div class=\"tile ").append(tone).append("\"><div class=\"tl\">").append(Svg.esc(label))
                .append("</div><div class=\"tv\">").append(Svg.esc(value)).append("</div><div class=\"tn\">")
                .append(Svg.esc(note)).append("</div></div>");
    }

    private static void tiles(StringBuilder h, DemoResults r) {
        h.append("<section class=\"tiles\">");
        if (r.ingest().isPresent()) {
            DemoResults.Ingest i = r.ingest().get();
            tile(h, "Records lost", Long.toString(i.recordsLost()), i.recordsIngested() + " of " + i.recordsSent()
                    + " ingested", i.recordsLost() == 0 ? "good" : "bad");
            long powerLosses = i.outages().stream().filter(DemoResults.Outage::powerLoss).count();
            tile(h, "Duplicates dropped", Long.toString(i.duplicatesDropped()), (i.outages().size() - powerLosses)
                    + " outages, " + powerLosses + " power loss", "neutral");
        } else {
            tile(h, "Records lost", "n/a", "data path did not run", "muted");
        }
        if (r.labeling().isPresent()) {
            DemoResults.Labeling l = r.labeling().get();
            tile(h, "Weak-label accuracy", pct(l.weakLabelAccuracy()), l.expertQueries() + " expert answers, "
                    + l.labelModel(), "neutral");
            double gap = l.goldModelAccuracy() - l.endModelAccuracy();
            StringBuilder note = new StringBuilder(String.format(Locale.ROOT, "gold-trained model %.2f %% (%+.2f pt)",
                    l.goldModelAccuracy(), -gap));
            boolean within = gap <= 2;
            for (DemoResults.TestFileAccuracy f : r.labelingByTestFile()) {
                double g = f.goldModelAccuracy() - f.endModelAccuracy();
                within &= !(g > 2);
                note.append(String.format(Locale.ROOT, "; %s %s vs %s", f.file(), pct(f.endModelAccuracy()),
                        pct(f.goldModelAccuracy())));
            }
            tile(h, "End model vs gold", pct(l.endModelAccuracy()), note.toString(), within ? "good" : "bad");
        } else {
            tile(h, "End model vs gold", "n/a", "labelling did not run", "muted");
        }
        if (!r.variants().isEmpty()) {
            long mismatches = r.variants().stream().mapToLong(DemoResults.Variant::mismatches).sum();
            long vectors = r.variants().stream().mapToLong(DemoResults.Variant::vectors).sum();
            Set<String> where = new LinkedHashSet<>();
            r.variants().forEach(v -> where.add(v.parity()));
            tile(h, "Parity mismatches", Long.toString(mismatches), vectors + " vectors on " + String.join(", ", where),
                    mismatches == 0 ? "good" : "bad");
        } else {
            tile(h, "Parity mismatches", "n/a", "quantization did not run", "muted");
        }
        if (r.rollout().isPresent()) {
            DemoResults.Rollout o = r.rollout().get();
            tile(h, "On the new model", o.onNewModel() + " / " + o.devices(), o.onOldModel() + " on the old model, "
                    + o.unverified() + " unverified", o.unverified() == 0 ? "good" : "bad");
        } else {
            tile(h, "On the new model", "n/a", "rollout did not run", "muted");
        }
        h.append("</section>\n");
    }

    private static String reason(DemoResults r, int step) {
        for (DemoResults.Step s : r.steps()) {
            if (s.number() == step && s.status() != Status.DONE) {
                return "Step " + step + " " + s.status().name().toLowerCase(Locale.ROOT) + ": " + s.detail();
            }
        }
        return "Step " + step + " did not produce these figures.";
    }

    private static String bufferChart(DemoResults r) {
        String title = "Buffer fill and outages";
        if (r.ingest().isEmpty() || r.ingest().get().timeline().isEmpty()) {
            return Svg.unavailable(title, reason(r, 1));
        }
        DemoResults.Ingest in = r.ingest().get();
        List<String> groups = new ArrayList<>(new LinkedHashSet<>(in.timeline().stream()
                .map(DemoResults.FillSample::group).toList()));
        List<Svg.Series> series = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            String name = groups.get(g);
            List<DemoResults.FillSample> pts = in.timeline().stream().filter(s -> s.group().equals(name)).toList();
            double[] x = new double[pts.size()];
            double[] y = new double[pts.size()];
            for (int i = 0; i < pts.size(); i++) {
                x[i] = pts.get(i).minute();
                y[i] = pts.get(i).buffered();
            }
            series.add(new Svg.Series(name, PALETTE[g % PALETTE.length], x, y));
        }
        List<Svg.Band> bands = new ArrayList<>();
        List<Svg.Marker> markers = new ArrayList<>();
        for (DemoResults.Outage o : in.outages()) {
            if (o.powerLoss()) {
                markers.add(new Svg.Marker(o.startMinute(), RED, o.device() + " lost power"));
            } else {
                int lane = Math.max(0, groups.indexOf(variantOf(o.device(), groups)));
                bands.add(new Svg.Band(o.startMinute(), o.endMinute(), PALETTE[lane % PALETTE.length],
                        o.device() + " offline", lane));
            }
        }
        return Svg.lineChart(title, "Records waiting in the device buffers over the replay, per hardware variant; "
                + "the lanes at the bottom show each variant's connectivity outages, the dashed line the power loss.",
                "replay time (minutes of sensor data)",
                "records buffered", in.horizonMinutes(), series, bands, markers);
    }

    /** The series a device belongs to: the group its id starts with ({@code avr8-01} is in {@code avr8}). */
    private static String variantOf(String device, List<String> groups) {
        for (String g : groups) {
            if (device.startsWith(g + "-")) {
                return g;
            }
        }
        return "";
    }

    private static String lfChart(DemoResults r) {
        String title = "Labelling functions: coverage and accuracy";
        if (r.labeling().isEmpty() || r.labeling().get().functions().isEmpty()) {
            return Svg.unavailable(title, reason(r, 3));
        }
        List<DemoResults.LfStat> lfs = r.labeling().get().functions();
        List<String> names = lfs.stream().map(DemoResults.LfStat::name).toList();
        double[] cov = lfs.stream().mapToDouble(DemoResults.LfStat::coverage).toArray();
        double[] acc = lfs.stream().mapToDouble(DemoResults.LfStat::accuracy).toArray();
        return Svg.bars(title, "Share of windows each labelling function voted on, and the share of its votes that "
                + "matched the gold label.", "percent", names, List.of(new Svg.Bars("coverage", GREY, cov),
                new Svg.Bars("accuracy", BLUE, acc)), 100, false, " %");
    }

    private static String labelChart(DemoResults r) {
        String title = "Label model vs gold";
        if (r.labeling().isEmpty()) {
            return Svg.unavailable(title, reason(r, 3));
        }
        DemoResults.Labeling l = r.labeling().get();
        return Svg.bars(title, "Accuracy against gold labels: majority vote and the label model on the windows, "
                + "then the end model trained on weak labels and the same model trained on all gold labels, on the "
                + "test data.", "accuracy (%)", List.of("majority vote", l.labelModel(), "end model (weak)",
                "model on gold"), List.of(new Svg.Bars("accuracy", BLUE, new double[] {l.majorityVoteAccuracy(),
                l.weakLabelAccuracy(), l.endModelAccuracy(), l.goldModelAccuracy()})), 100, false, " %");
    }

    private static String accuracyChart(DemoResults r) {
        String title = "Float vs quantized accuracy per variant";
        if (r.variants().isEmpty()) {
            return Svg.unavailable(title, reason(r, 4));
        }
        List<String> cats = r.variants().stream().map(v -> v.target() + " " + v.scheme()).toList();
        return Svg.bars(title, "Test accuracy of the float model and of the quantized model for each hardware "
                + "variant.", "accuracy (%)", cats, List.of(
                new Svg.Bars("float", GREY, r.variants().stream().mapToDouble(DemoResults.Variant::floatAccuracy)
                        .toArray()),
                new Svg.Bars("quantized", GREEN, r.variants().stream()
                        .mapToDouble(DemoResults.Variant::quantizedAccuracy).toArray())), 100, false, " %");
    }

    private static String sizeChart(DemoResults r) {
        String title = "Model size per target";
        if (r.variants().isEmpty()) {
            return Svg.unavailable(title, reason(r, 4));
        }
        List<String> cats = r.variants().stream().map(v -> v.target() + " " + v.scheme()).toList();
        return Svg.bars(title, "Parameter bytes as float32 and quantized, and the flash bytes of the quantized "
                + "model with its inference code as the target's compiler measured them.", "bytes", cats, List.of(
                new Svg.Bars("float32 parameters", GREY, r.variants().stream()
                        .mapToDouble(v -> v.floatModelBytes() > 0 ? v.floatModelBytes() : Double.NaN).toArray()),
                new Svg.Bars("quantized parameters", BLUE, r.variants().stream()
                        .mapToDouble(v -> v.parameterBytes() > 0 ? v.parameterBytes() : Double.NaN).toArray()),
                new Svg.Bars("flash (model + code)", ORANGE, r.variants().stream()
                        .mapToDouble(DemoResults.Variant::flashBytes).toArray())), 0, false, " B");
    }

    private static String rolloutChart(DemoResults r) {
        String title = "Rollout waves";
        if (r.rollout().isEmpty() || r.rollout().get().waves().isEmpty()) {
            return Svg.unavailable(title, reason(r, 5));
        }
        List<DemoResults.Wave> waves = r.rollout().get().waves();
        return Svg.bars(title, "Devices per rollout wave that verified and switched, refused or rolled back, or "
                + "stayed silent.", "devices", waves.stream().map(DemoResults.Wave::name).toList(), List.of(
                new Svg.Bars("switched", GREEN, waves.stream().mapToDouble(DemoResults.Wave::succeeded).toArray()),
                new Svg.Bars("refused / rolled back", RED, waves.stream().mapToDouble(DemoResults.Wave::failed)
                        .toArray()),
                new Svg.Bars("silent", GREY, waves.stream().mapToDouble(DemoResults.Wave::silent).toArray())),
                0, true, "");
    }

    private static void variantTable(StringBuilder h, DemoResults r) {
        if (r.variants().isEmpty()) {
            return;
        }
        h.append("<section class=\"panel\"><h2>Quantized models</h2><table><thead><tr><th>target</th><th>scheme</th>"
                + "<th>float accuracy</th><th>quantized accuracy</th><th>parity on</th><th>vectors</th>"
                + "<th>mismatches</th><th>flash bytes</th></tr></thead><tbody>");
        for (DemoResults.Variant v : r.variants()) {
            h.append("<tr><td>").append(Svg.esc(v.target())).append("</td><td>").append(Svg.esc(v.scheme()))
                    .append("</td><td>").append(pct(v.floatAccuracy())).append("</td><td>")
                    .append(pct(v.quantizedAccuracy())).append("</td><td>").append(Svg.esc(v.parity()))
                    .append("</td><td>").append(v.vectors()).append("</td><td class=\"")
                    .append(v.mismatches() == 0 ? "ok" : "ko").append("\">").append(v.mismatches())
                    .append("</td><td>").append(v.flashBytes() == null ? "not measured" : v.flashBytes())
                    .append("</td></tr>");
        }
        h.append("</tbody></table></section>\n");
    }

    private static void stepTable(StringBuilder h, DemoResults r) {
        h.append("<section class=\"panel\"><h2>Steps</h2><table><thead><tr><th>#</th><th>step</th><th>status</th>"
                + "<th>what happened</th></tr></thead><tbody>");
        for (DemoResults.Step s : r.steps()) {
            String st = s.status().name().toLowerCase(Locale.ROOT);
            h.append("<tr><td>").append(s.number()).append("</td><td>").append(Svg.esc(s.title()))
                    .append("</td><td><span class=\"badge ").append(st).append("\">").append(st)
                    .append("</span></td><td>").append(Svg.esc(s.detail())).append("</td></tr>");
        }
        h.append("</tbody></table></section>\n");
    }

    private static final String CSS = String.join("",
            "*{box-sizing:border-box}",
            "body{margin:0;padding:24px 32px;background:#f3f4f6;color:#111827;",
            "font-family:-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;font-size:14px}",
            "header h1{margin:0 0 4px;font-size:26px}",
            ".sub{margin:0 0 18px;color:#4b5563}",
            ".tiles{display:grid;grid-template-columns:repeat(6,1fr);gap:12px;margin-bottom:18px}",
            ".tile{background:#fff;border-radius:10px;padding:12px 14px;border-top:5px solid #9ca3af;",
            "box-shadow:0 1px 2px rgba(0,0,0,.08)}",
            ".tile.good{border-top-color:#16a34a}.tile.bad{border-top-color:#dc2626}",
            ".tile.neutral{border-top-color:#2563eb}.tile.muted{opacity:.7}",
            ".tl{color:#4b5563;font-size:12px;text-transform:uppercase;letter-spacing:.04em}",
            ".tv{font-size:28px;font-weight:700;margin:4px 0}",
            ".tn{color:#6b7280;font-size:12px}",
            ".grid{display:grid;grid-template-columns:repeat(2,1fr);gap:14px;margin-bottom:18px}",
            ".card{background:#fff;border-radius:10px;padding:8px;box-shadow:0 1px 2px rgba(0,0,0,.08)}",
            ".card svg{width:100%;height:auto;display:block}",
            ".ct{font-size:15px;font-weight:700;fill:#111827}",
            ".tick{font-size:11px;fill:#4b5563}.axis{font-size:12px;fill:#374151}",
            ".lg{font-size:12px;fill:#374151}.val{font-size:11px;fill:#111827}.val.in{fill:#fff}",
            "line.gl{stroke:#e5e7eb;stroke-width:1}line.ax{stroke:#6b7280;stroke-width:1}",
            ".na{fill:#f9fafb;stroke:#d1d5db;stroke-dasharray:4 3}.nat{font-size:13px;fill:#6b7280}",
            ".panel{background:#fff;border-radius:10px;padding:12px 16px;margin-bottom:14px;",
            "box-shadow:0 1px 2px rgba(0,0,0,.08)}",
            ".panel h2{font-size:16px;margin:4px 0 10px}",
            "table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;",
            "border-bottom:1px solid #e5e7eb;vertical-align:top}th{color:#4b5563;font-weight:600}",
            "td.ok{color:#16a34a;font-weight:700}td.ko{color:#dc2626;font-weight:700}",
            ".badge{display:inline-block;padding:1px 8px;border-radius:9px;font-size:12px;font-weight:600}",
            ".badge.done{background:#dcfce7;color:#166534}.badge.partial{background:#fef3c7;color:#92400e}",
            ".badge.skipped{background:#e5e7eb;color:#374151}.badge.failed{background:#fee2e2;color:#991b1b}",
            "footer{color:#6b7280;font-size:12px;margin-top:8px}");
}
