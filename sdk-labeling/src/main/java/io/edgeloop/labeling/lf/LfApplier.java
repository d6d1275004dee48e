package io.edgeloop.labeling.lf;

import io.edgeloop.api.label.Label;
import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.window.Window;
import io.edgeloop.labeling.matrix.LabelMatrix;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies an LF set to windows, in parallel, into a {@link LabelMatrix}. Anything one LF throws (any
 * {@link Exception}, also a checked one thrown sneakily, and any {@link Error}: {@link AssertionError},
 * {@link LinkageError}, {@link java.io.IOError}, {@link java.util.ServiceConfigurationError}, a library's own
 * {@code Error}, {@link StackOverflowError}), or a vote outside {@code [-1, numClasses)}, is counted against that
 * LF and recorded as an abstain; it never aborts the run. Only {@link VirtualMachineError}s other than
 * {@link StackOverflowError} ({@link OutOfMemoryError}, {@link InternalError}) propagate: after them the JVM is no
 * longer reliable.
 *
 * <p>Thread-safe: immutable; {@link #apply(List)} may be called concurrently.
 */
public final class LfApplier {
    private static final Logger LOG = LoggerFactory.getLogger(LfApplier.class);
    private static final int CHUNK = 1024;

    private final List<Labeller> lfs;
    private final int numClasses;

    /**
     * @param lfs the labelling functions, all over the same number of classes, with unique names
     */
    public LfApplier(List<Labeller> lfs) {
        this.lfs = List.copyOf(Objects.requireNonNull(lfs, "lfs"));
        if (this.lfs.isEmpty()) {
            throw new IllegalArgumentException("an LF set needs at least one labeller");
        }
        this.numClasses = this.lfs.get(0).numClasses();
        Set<String> names = new HashSet<>();
        for (Labeller l : this.lfs) {
            if (l.numClasses() != numClasses) {
                throw new IllegalArgumentException("labeller '" + l.name() + "' has " + l.numClasses()
                        + " classes, the first has " + numClasses);
            }
            if (!names.add(l.name())) {
                throw new IllegalArgumentException("two labellers are named '" + l.name() + "'; names must be unique");
            }
        }
    }

    /**
     * @param windows the windows, one matrix row each, in order
     * @return the matrix and the per-LF error counts
     */
    public LfRun apply(List<Window> windows) {
        int n = windows.size();
        int m = lfs.size();
        byte[] votes = new byte[n * m];
        AtomicLongArray errors = new AtomicLongArray(m);
        // The first failure per LF is the one on the lowest window index, whichever thread meets it first, so the
        // message (and the WARN) names the same window on every run.
        int[] firstIndex = new int[m];
        java.util.Arrays.fill(firstIndex, Integer.MAX_VALUE);
        Throwable[] firstThrown = new Throwable[m];
        String[] first = new String[m];
        IntStream.range(0, (n + CHUNK - 1) / CHUNK).parallel().forEach(ch -> {
            for (int i = ch * CHUNK, end = Math.min(n, i + CHUNK); i < end; i++) {
                Window w = windows.get(i);
                for (int j = 0; j < m; j++) {
                    int v;
                    try {
                        v = lfs.get(j).label(w);
                        if (v < Label.ABSTAIN || v >= numClasses) {
                            throw new IllegalStateException("voted " + v + ", outside [-1, " + numClasses + ")");
                        }
                    } catch (Throwable e) {
                        // Throwable covers checked exceptions thrown sneakily and any library's Error; only the
                        // VirtualMachineErrors that leave the JVM unreliable (out of memory, internal errors)
                        // propagate. A stack overflow unwinds cleanly and is the LF's own fault.
                        if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
                            throw (VirtualMachineError) e;
                        }
                        errors.incrementAndGet(j);
                        synchronized (firstThrown) {
                            if (i < firstIndex[j]) {
                                firstIndex[j] = i;
                                firstThrown[j] = e;
                                first[j] = e.getClass().getSimpleName() + ": " + e.getMessage() + " (window " + w + ")";
                            }
                        }
                        v = Label.ABSTAIN;
                    }
                    votes[i * m + j] = (byte) v;
                }
            }
        });
        Map<String, Long> errs = new LinkedHashMap<>();
        Map<String, String> firsts = new LinkedHashMap<>();
        String[] names = new String[m];
        for (int j = 0; j < m; j++) {
            names[j] = lfs.get(j).name();
            errs.put(names[j], errors.get(j));
            if (first[j] != null) {
                firsts.put(names[j], first[j]);
                LOG.warn("labelling function '{}' failed on {} of {} windows, counted as abstain; the first: {}",
                        names[j], errors.get(j), n, first[j], firstThrown[j]);
            }
        }
        return new LfRun(LabelMatrix.of(n, m, numClasses, votes, List.of(names)), errs, firsts,
                missingInputs(windows, votes));
    }

    /**
     * What a labeller reads, as far as it is known: a rule labeller's features and channels, and for one behind the
     * sensor-health rule (at any depth) also the channels the guard watches, since a watched channel no window has
     * makes the guard abstain on every window. Rule reads come first, then the guards', outermost last.
     *
     * @return false when nothing is known (a labeller of another kind, say a Tribuo model)
     */
    private static boolean reads(Labeller l, Set<String> features, Set<String> channels) {
        List<String> guarded = new java.util.ArrayList<>();
        Labeller inner = l;
        while (inner instanceof SensorHealthLabeller g) {
            guarded.addAll(0, g.channels());
            inner = g.delegate();
        }
        boolean rule = inner instanceof RuleLabeller;
        if (inner instanceof RuleLabeller r) {
            features.addAll(r.featuresRead());
            channels.addAll(r.channelsRead());
        }
        channels.addAll(guarded);
        return rule || !guarded.isEmpty();
    }

    /**
     * The features and channels rule labellers read that none of the windows has: a misspelt name, the wrong case
     * ({@code co2.mean} for {@code CO2.mean}), or windows built without features. That part of the rule is UNKNOWN
     * on every window (a rule reading nothing else never votes), and nothing else says why: one WARN per LF names
     * what is missing, the closest name the windows have, and how many windows the LF still voted on. A rule behind
     * the sensor-health rule is checked as well, with the channels the guard watches (one missing makes it abstain
     * everywhere). A name some window has is not reported (a fleet's devices may carry different sensors). Costs
     * one lookup per window for a name that is missing, one for a name the first window has.
     */
    private List<LfRun.MissingInput> missingInputs(List<Window> windows, byte[] votes) {
        if (windows.isEmpty()) {
            return List.of();
        }
        Map<String, Boolean> featureSeen = new java.util.HashMap<>();
        Map<String, Boolean> channelSeen = new java.util.HashMap<>();
        List<LfRun.MissingInput> missing = new java.util.ArrayList<>();
        java.util.TreeSet<String> featureNames = null;
        java.util.TreeSet<String> channelNames = null;
        for (int j = 0; j < lfs.size(); j++) {
            Labeller l = lfs.get(j);
            Set<String> featuresRead = new java.util.LinkedHashSet<>();
            Set<String> channelsRead = new java.util.LinkedHashSet<>();
            if (!reads(l, featuresRead, channelsRead)) {
                continue;
            }
            List<LfRun.MissingInput> forThis = new java.util.ArrayList<>();
            for (String f : featuresRead) {
                if (!featureSeen.computeIfAbsent(f, k -> windows.stream().anyMatch(w -> w.features().containsKey(k)))) {
                    if (featureNames == null) {
                        featureNames = new java.util.TreeSet<>();
                        for (Window w : windows.subList(0, Math.min(windows.size(), 64))) {
                            featureNames.addAll(w.features().keySet());
                        }
                    }
                    forThis.add(new LfRun.MissingInput(l.name(), LfRun.InputKind.FEATURE, f,
                            io.edgeloop.api.config.ComponentConfig.closestName(f, featureNames)));
                }
            }
            for (String c : channelsRead) {
                if (!channelSeen.computeIfAbsent(c, k -> windows.stream().anyMatch(w -> w.channelIndex(k) >= 0))) {
                    if (channelNames == null) {
                        channelNames = new java.util.TreeSet<>();
                        for (Window w : windows.subList(0, Math.min(windows.size(), 64))) {
                            channelNames.addAll(w.channels());
                        }
                    }
                    forThis.add(new LfRun.MissingInput(l.name(), LfRun.InputKind.CHANNEL, c,
                            io.edgeloop.api.config.ComponentConfig.closestName(c, channelNames)));
                }
            }
            if (!forThis.isEmpty()) {
                StringBuilder what = new StringBuilder();
                for (LfRun.MissingInput mi : forThis) {
                    what.append(what.length() == 0 ? "" : ", ").append(mi.describe());
                }
                long voted = 0;
                for (int i = j; i < votes.length; i += lfs.size()) {
                    voted += votes[i] == Label.ABSTAIN ? 0 : 1;
                }
                LOG.warn("labelling function '{}' reads what none of the {} windows has ({}): that part of its "
                        + "condition is UNKNOWN on every window; {}", l.name(), windows.size(), what,
                        voted == 0 ? "it never voted" : "it voted on " + voted + " through the rest of its condition");
                missing.addAll(forThis);
            }
        }
        return missing;
    }
}
