package io.edgeloop.examples.demo.report;

import java.util.List;
import java.util.Locale;

/**
 * Small inline-SVG charts for the demo report: a line chart with shaded bands, grouped bars and stacked bars.
 * Output is plain SVG markup with no scripts, fonts or external references, so the report stays one file that
 * any browser renders offline. Coordinates are printed with a fixed number of decimals, so the same data gives
 * byte-identical markup.
 *
 * <p>Thread-safe: stateless.
 */
final class Svg {
    static final int WIDTH = 580;
    static final int HEIGHT = 300;
    private static final int LEFT = 58;
    private static final int RIGHT = 16;
    private static final int TOP = 34;
    private static final int BOTTOM = 58;

    private Svg() {
    }

    /** A line series: x and y values of the same length. */
    record Series(String name, String color, double[] x, double[] y) {
    }

    /** A span on the x axis in one lane (for example an outage of one device of a hardware variant). */
    record Band(double from, double to, String color, String label, int lane) {
    }

    /** A vertical marker on the x axis. */
    record Marker(double at, String color, String label) {
    }

    /** A bar series: one value per category, NaN for none. */
    record Bars(String name, String color, double[] values) {
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Formats a tick or value label compactly: 1.2k, 35, 0.5. */
    static String label(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) {
            return trim(String.format(Locale.ROOT, "%.1fM", v / 1e6));
        }
        if (a >= 1e4) {
            return trim(String.format(Locale.ROOT, "%.1fk", v / 1e3));
        }
        if (a >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return trim(String.format(Locale.ROOT, "%.2f", v));
    }

    private static String trim(String s) {
        return s.replaceAll("\\.0+([kM]?)$", "$1").replaceAll("(\\.\\d*?)0+([kM]?)$", "$1$2");
    }

    /** A "nice" axis maximum and tick step for data up to {@code max}. */
    static double[] niceAxis(double max) {
        if (!(max > 0)) {
            return new double[] {1, 0.25};
        }
        double rough = max / 5;
        double mag = Math.pow(10, Math.floor(Math.log10(rough)));
        double step;
        double r = rough / mag;
        if (r <= 1) {
            step = mag;
        } else if (r <= 2) {
            step = 2 * mag;
        } else if (r <= 2.5) {
            step = 2.5 * mag;
        } else if (r <= 5) {
            step = 5 * mag;
        } else {
            step = 10 * mag;
        }
        return new double[] {Math.ceil(max / step - 1e-9) * step, step};
    }

    private static StringBuilder open(String title, String description) {
        StringBuilder b = new StringBuilder();
        b.append("<svg viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"").append(esc(title)).append("\">");
        b.append("<title>").append(esc(title)).append("</title>");
        b.append("<desc>").append(esc(description)).append("</desc>");
        b.append("<text x=\"").append(LEFT).append("\" y=\"20\" class=\"ct\">").append(esc(title)).append("</text>");
        return b;
    }

    private static void yAxis(StringBuilder b, double yMax, double step, String yLabel, int plotW, int plotH) {
        for (double t = 0; t <= yMax + step / 1000; t += step) {
            double y = TOP + plotH - t / yMax * plotH;
            b.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + plotW).append("\" y1=\"")
                    .append(num(y)).append("\" y2=\"").append(num(y)).append("\" class=\"gl\"/>");
            b.append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(num(y + 4))
                    .append("\" class=\"tick\" text-anchor=\"end\">").append(label(t)).append("</text>");
        }
        b.append("<text transform=\"translate(14,").append(TOP + plotH / 2).append(") rotate(-90)\" class=\"axis\" "
                + "text-anchor=\"middle\">").append(esc(yLabel)).append("</text>");
        b.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT).append("\" y1=\"").append(TOP)
                .append("\" y2=\"").append(TOP + plotH).append("\" class=\"ax\"/>");
        b.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + plotW).append("\" y1=\"")
                .append(TOP + plotH).append("\" y2=\"").append(TOP + plotH).append("\" class=\"ax\"/>");
    }

    private static void legend(StringBuilder b, List<String> names, List<String> colors, int y) {
        double x = LEFT;
        for (int i = 0; i < names.size(); i++) {
            b.append("<rect x=\"").append(num(x)).append("\" y=\"").append(y - 9)
                    .append("\" width=\"11\" height=\"11\" rx=\"2\" fill=\"").append(colors.get(i)).append("\"/>");
            b.append("<text x=\"").append(num(x + 15)).append("\" y=\"").append(y).append("\" class=\"lg\">")
                    .append(esc(names.get(i))).append("</text>");
            x += 30 + 7.2 * names.get(i).length();
        }
    }

    /**
     * A line chart with shaded bands (outages) and vertical markers (power losses).
     *
     * @return the SVG markup
     */
    static String lineChart(String title, String description, String xLabel, String yLabel, double xMax,
            List<Series> series, List<Band> bands, List<Marker> markers) {
        StringBuilder b = open(title, description);
        int lanes = 0;
        for (Band band : bands) {
            lanes = Math.max(lanes, band.lane() + 1);
        }
        int laneH = 5;
        int lanesH = lanes == 0 ? 0 : lanes * (laneH + 2) + 3;
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM - lanesH;
        double yMaxData = 0;
        for (Series s : series) {
            for (double v : s.y()) {
                yMaxData = Math.max(yMaxData, v);
            }
        }
        double[] ya = niceAxis(yMaxData);
        double[] xa = niceAxis(xMax);
        double xm = Math.max(xMax, 1e-9);
        int laneTop = TOP + plotH + 4;
        for (int l = 0; l < lanes; l++) {
            b.append("<rect x=\"").append(LEFT).append("\" y=\"").append(laneTop + l * (laneH + 2))
                    .append("\" width=\"").append(plotW).append("\" height=\"").append(laneH)
                    .append("\" fill=\"#f3f4f6\"/>");
        }
        for (Band band : bands) {
            double x0 = LEFT + Math.max(0, band.from()) / xm * plotW;
            double x1 = LEFT + Math.min(xm, band.to()) / xm * plotW;
            b.append("<rect x=\"").append(num(x0)).append("\" y=\"").append(laneTop + band.lane() * (laneH + 2))
                    .append("\" width=\"").append(num(Math.max(1, x1 - x0))).append("\" height=\"").append(laneH)
                    .append("\" fill=\"").append(band.color()).append("\" opacity=\"0.45\"><title>")
                    .append(esc(band.label())).append("</title></rect>");
        }
        yAxis(b, ya[0], ya[1], yLabel, plotW, plotH);
        for (double t = 0; t <= xm + xa[1] / 1000; t += xa[1]) {
            double x = LEFT + t / xm * plotW;
            if (x > LEFT + plotW + 0.5) {
                break;
            }
            b.append("<text x=\"").append(num(x)).append("\" y=\"").append(TOP + plotH + lanesH + 15)
                    .append("\" class=\"tick\" text-anchor=\"middle\">").append(label(t)).append("</text>");
        }
        b.append("<text x=\"").append(LEFT + plotW / 2).append("\" y=\"").append(TOP + plotH + lanesH + 29)
                .append("\" class=\"axis\" text-anchor=\"middle\">").append(esc(xLabel)).append("</text>");
        for (Marker m : markers) {
            double x = LEFT + m.at() / xm * plotW;
            b.append("<line x1=\"").append(num(x)).append("\" x2=\"").append(num(x)).append("\" y1=\"").append(TOP)
                    .append("\" y2=\"").append(TOP + plotH).append("\" stroke=\"").append(m.color())
                    .append("\" stroke-width=\"2\" stroke-dasharray=\"5 3\"><title>").append(esc(m.label()))
                    .append("</title></line>");
        }
        for (Series s : series) {
            b.append("<polyline fill=\"none\" stroke=\"").append(s.color()).append("\" stroke-width=\"2\" points=\"");
            for (int i = 0; i < s.x().length; i++) {
                double x = LEFT + s.x()[i] / xm * plotW;
                double y = TOP + plotH - s.y()[i] / ya[0] * plotH;
                b.append(num(x)).append(',').append(num(y)).append(' ');
            }
            b.append("\"><title>").append(esc(s.name())).append("</title></polyline>");
        }
        List<String> names = new java.util.ArrayList<>();
        List<String> colors = new java.util.ArrayList<>();
        for (Series s : series) {
            names.add(s.name());
            colors.add(s.color());
        }
        if (!bands.isEmpty()) {
            names.add("outages");
            colors.add("#d1d5db");
        }
        if (!markers.isEmpty()) {
            names.add("power loss");
            colors.add(markers.get(0).color());
        }
        legend(b, names, colors, HEIGHT - 8);
        return b.append("</svg>").toString();
    }

    /**
     * Grouped (side by side) or stacked bars per category, with value labels on grouped bars.
     *
     * @return the SVG markup
     */
    static String bars(String title, String description, String yLabel, List<String> categories, List<Bars> series,
            double fixedMax, boolean stacked, String unit) {
        StringBuilder b = open(title, description);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        double max = 0;
        for (int c = 0; c < categories.size(); c++) {
            double sum = 0;
            for (Bars s : series) {
                double v = s.values()[c];
                if (Double.isFinite(v)) {
                    sum = stacked ? sum + v : Math.max(sum, v);
                }
            }
            max = Math.max(max, sum);
        }
        double[] ya = fixedMax > 0 ? new double[] {fixedMax, fixedMax / 5} : niceAxis(max);
        yAxis(b, ya[0], ya[1], yLabel, plotW, plotH);
        int n = Math.max(1, categories.size());
        double slot = (double) plotW / n;
        double groupW = slot * 0.78;
        int k = stacked ? 1 : Math.max(1, series.size());
        double barW = groupW / k;
        for (int c = 0; c < categories.size(); c++) {
            double gx = LEFT + c * slot + (slot - groupW) / 2;
            double base = 0;
            for (int si = 0; si < series.size(); si++) {
                Bars s = series.get(si);
                double v = s.values()[c];
                if (!Double.isFinite(v)) {
                    continue;
                }
                double h = Math.min(v, ya[0]) / ya[0] * plotH;
                double x = stacked ? gx : gx + si * barW;
                double y = TOP + plotH - h - (stacked ? base / ya[0] * plotH : 0);
                b.append("<rect x=\"").append(num(x + 1)).append("\" y=\"").append(num(y)).append("\" width=\"")
                        .append(num(Math.max(1, barW - 2))).append("\" height=\"").append(num(Math.max(0, h)))
                        .append("\" fill=\"").append(s.color()).append("\"><title>").append(esc(categories.get(c)))
                        .append(", ").append(esc(s.name())).append(": ").append(label(v)).append(esc(unit))
                        .append("</title></rect>");
                if (!stacked && barW >= 22) {
                    b.append("<text x=\"").append(num(x + barW / 2)).append("\" y=\"").append(num(y - 4))
                            .append("\" class=\"val\" text-anchor=\"middle\">").append(label(v)).append("</text>");
                } else if (stacked && h >= 13) {
                    b.append("<text x=\"").append(num(x + barW / 2)).append("\" y=\"").append(num(y + h / 2 + 4))
                            .append("\" class=\"val in\" text-anchor=\"middle\">").append(label(v)).append("</text>");
                }
                base += stacked ? v : 0;
            }
            List<String> lines = splitLabel(categories.get(c), (int) (slot / 6.2));
            for (int li = 0; li < lines.size(); li++) {
                b.append("<text x=\"").append(num(LEFT + c * slot + slot / 2)).append("\" y=\"")
                        .append(TOP + plotH + 15 + 12 * li).append("\" class=\"tick\" text-anchor=\"middle\">")
                        .append(esc(lines.get(li))).append("</text>");
            }
        }
        List<String> names = new java.util.ArrayList<>();
        List<String> colors = new java.util.ArrayList<>();
        for (Bars s : series) {
            names.add(s.name());
            colors.add(s.color());
        }
        legend(b, names, colors, HEIGHT - 8);
        return b.append("</svg>").toString();
    }

    /** Splits a category label into at most two lines at the hyphen or space nearest its middle. */
    static List<String> splitLabel(String label, int maxChars) {
        if (label.length() <= maxChars) {
            return List.of(label);
        }
        int best = -1;
        for (int i = 1; i < label.length() - 1; i++) {
            char c = label.charAt(i);
            if ((c == '-' || c == ' ') && (best < 0 || Math.abs(i - label.length() / 2) < Math.abs(best
                    - label.length() / 2))) {
                best = i;
            }
        }
        if (best < 0) {
            return List.of(label);
        }
        int cut = label.charAt(best) == '-' ? best + 1 : best;
        return List.of(label.substring(0, cut), label.substring(best + 1));
    }

    /** A placeholder panel for a chart whose step did not run, stating why. */
    static String unavailable(String title, String reason) {
        StringBuilder b = open(title, reason);
        b.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"")
                .append(WIDTH - LEFT - RIGHT).append("\" height=\"").append(HEIGHT - TOP - BOTTOM)
                .append("\" class=\"na\"/>");
        int y = TOP + 40;
        for (String line : wrap(reason, 70)) {
            b.append("<text x=\"").append(WIDTH / 2).append("\" y=\"").append(y).append("\" class=\"nat\" "
                    + "text-anchor=\"middle\">").append(esc(line)).append("</text>");
            y += 18;
        }
        return b.append("</svg>").toString();
    }

    static List<String> wrap(String text, int width) {
        List<String> lines = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String w : text.split("\\s+")) {
            if (cur.length() + w.length() + 1 > width && cur.length() > 0) {
                lines.add(cur.toString());
                cur.setLength(0);
            }
            if (cur.length() > 0) {
                cur.append(' ');
            }
            cur.append(w);
        }
        if (cur.length() > 0) {
            lines.add(cur.toString());
        }
        return lines.size() > 8 ? lines.subList(0, 8) : lines;
    }
}
