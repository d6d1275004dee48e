package io.edgeloop.examples.demo;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The demo's console output: a heading per step, progress bars during long steps and result lines. A progress
 * bar redraws in place with a carriage return when the console is a terminal and prints only at 25 % steps
 * otherwise, so logs stay short.
 *
 * <p>Thread-safe: every method locks the console, so stages may report progress from worker threads.
 */
public final class DemoConsole {
    private static final int BAR_WIDTH = 30;

    private final PrintWriter out;
    private final boolean interactive;
    private final Object lock = new Object();
    private String barLabel;
    private int lastShown = -1;
    private long stepStart;
    private final long runStart = System.nanoTime();

    /**
     * @param out         where to print
     * @param interactive whether the output is a terminal (redraw bars in place)
     */
    public DemoConsole(PrintWriter out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    /**
     * Prints a step heading.
     *
     * @param number the step number
     * @param title  the step title
     */
    public void step(int number, String title) {
        heading(Integer.toString(number), title);
    }

    /**
     * Prints one heading for consecutive steps that run together, as {@code [first-last/6]}.
     *
     * @param first the first step's number
     * @param last  the last step's number
     * @param title the steps' title
     */
    public void steps(int first, int last, String title) {
        heading(first + "-" + last, title);
    }

    private void heading(String numbers, String title) {
        synchronized (lock) {
            endBar();
            long now = System.nanoTime();
            if (stepStart != 0) {
                out.printf(Locale.ROOT, "      (%.1f s)%n", (now - stepStart) / 1e9);
            }
            stepStart = now;
            out.printf(Locale.ROOT, "%n[%s/6] %s%n", numbers, title);
            out.flush();
        }
    }

    /**
     * Prints an indented result or note line.
     *
     * @param format a {@link String#format} pattern
     * @param args   its arguments
     */
    public void line(String format, Object... args) {
        synchronized (lock) {
            endBar();
            out.printf(Locale.ROOT, "      " + format + "%n", args);
            out.flush();
        }
    }

    /**
     * Shows or updates a progress bar.
     *
     * @param label what is progressing
     * @param done  units done
     * @param total units in all, positive
     */
    public void progress(String label, long done, long total) {
        synchronized (lock) {
            int pct = (int) Math.min(100, Math.max(0, total <= 0 ? 100 : done * 100 / total));
            if (!label.equals(barLabel)) {
                endBar();
                barLabel = label;
                lastShown = -1;
            }
            if (!interactive && pct / 25 == lastShown / 25 && lastShown >= 0 && pct != 100) {
                return;
            }
            if (pct == lastShown) {
                return;
            }
            lastShown = pct;
            int filled = pct * BAR_WIDTH / 100;
            String bar = "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled);
            String text = String.format(Locale.ROOT, "      %-28s [%s] %3d %% (%d/%d)", label, bar, pct, done, total);
            if (interactive) {
                out.print("\r" + text);
            } else {
                out.println(text);
            }
            out.flush();
            if (pct == 100) {
                endBar();
            }
        }
    }

    /**
     * Prints the time of the last step and of the whole run.
     */
    public void finish() {
        synchronized (lock) {
            endBar();
            long now = System.nanoTime();
            out.printf(Locale.ROOT, "      (%.1f s)%n%nDemo finished in %.1f s.%n", (now - stepStart) / 1e9,
                    (now - runStart) / 1e9);
            out.flush();
        }
    }

    private void endBar() {
        if (barLabel != null) {
            if (interactive) {
                out.println();
            }
            barLabel = null;
            lastShown = -1;
        }
    }
}
