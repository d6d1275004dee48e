package io.edgeloop.labeling.train;

import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.labeling.matrix.LabelMatrix;
import io.edgeloop.labeling.model.LabelModel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Provenance of a set of weak labels (kind {@code weak-labels}): the LF set (names, each LF's class and
 * description digest), the label matrix's SHA-256 (which pins what the LFs actually voted), the label model and
 * its settings, and the expert answers used (count and digest). Pass it as the parent of an end model's
 * provenance ({@link EndModelTrainer}).
 *
 * <p>Thread-safe: static methods only.
 */
public final class LabelProvenance {
    private LabelProvenance() {
    }

    /**
     * @param lfs     the labelling functions, in matrix column order
     * @param matrix  their votes
     * @param model   the fitted label model
     * @param answers expert answers by row (may be empty)
     * @param seed    the seed used
     * @return the provenance
     */
    public static Provenance capture(List<Labeller> lfs, LabelMatrix matrix, LabelModel model,
            Map<Integer, Integer> answers, long seed) {
        Provenance.Builder p = Provenance.capture("weak-labels", LabelProvenance.class).seed(seed);
        StringBuilder names = new StringBuilder();
        for (Labeller l : lfs) {
            names.append(names.length() == 0 ? "" : ",").append(l.name());
            p.setting("lf." + l.name(), l.getClass().getName() + " classes=" + l.numClasses() + " sha256="
                    + lfSha256(l));
        }
        p.setting("lfs", names.toString());
        MessageDigest md = Sha256.newDigest();
        for (int i = 0; i < matrix.rows(); i++) {
            for (int j = 0; j < matrix.lfs(); j++) {
                md.update((byte) matrix.get(i, j));
            }
        }
        p.input("label-matrix", HexFormat.of().formatHex(md.digest()), (long) matrix.rows() * matrix.lfs());
        model.settings().forEach((k, v) -> p.setting("labelModel." + k, v));
        p.setting("labelModel", model.name());
        p.setting("expertAnswers", answers.size());
        p.setting("expertAnswersSha256", answersSha256(answers));
        return p.build();
    }

    /**
     * The digest that identifies a set of expert answers: SHA-256 (lower-case hex) of the UTF-8 lines
     * {@code <row>:<class>\n}, rows ascending, decimal numbers. No answers give the digest of zero bytes.
     *
     * @param answers the expert's class by row
     * @return the digest
     */
    public static String answersSha256(Map<Integer, Integer> answers) {
        MessageDigest ad = Sha256.newDigest();
        new TreeMap<>(answers).forEach((row, label) -> ad.update((row + ":" + label + "\n")
                .getBytes(StandardCharsets.UTF_8)));
        return HexFormat.of().formatHex(ad.digest());
    }

    /**
     * The digest that identifies a labelling function: SHA-256 of its name, class and its description
     * ({@code toString()}, which for rule labellers spells the condition and thresholds). A labeller that does not
     * describe itself (keeps {@code Object.toString}, whose identity hash changes between runs) is identified by
     * name, class and number of classes only, so the digest stays the same for the same LF set.
     *
     * @param lf the labelling function
     * @return the digest
     */
    public static String lfSha256(Labeller lf) {
        String description;
        try {
            description = lf.getClass().getMethod("toString").getDeclaringClass() == Object.class ? "classes="
                    + lf.numClasses() : lf.toString();
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("every class has toString", e);
        }
        return Sha256.hex((lf.name() + "\n" + lf.getClass().getName() + "\n" + description)
                .getBytes(StandardCharsets.UTF_8));
    }
}
