package io.edgeloop.labeling.train;

import io.edgeloop.api.label.Labeller;
import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.api.provenance.Sha256;
import io.edgeloop.labeling.matrix.LabelMatrix;
import io.edgeloop.labeling.model.LabelModel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
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
                    + Sha256.hex(Sha256.newDigest().digest((l.name() + "\n" + l.getClass().getName() + "\n" + l)
                            .getBytes(StandardCharsets.UTF_8))));
        }
        p.setting("lfs", names.toString());
        MessageDigest md = Sha256.newDigest();
        for (int i = 0; i < matrix.rows(); i++) {
            for (int j = 0; j < matrix.lfs(); j++) {
                md.update((byte) matrix.get(i, j));
            }
        }
        p.input("label-matrix", Sha256.hex(md.digest()), (long) matrix.rows() * matrix.lfs());
        model.settings().forEach((k, v) -> p.setting("labelModel." + k, v));
        p.setting("labelModel", model.name());
        MessageDigest ad = Sha256.newDigest();
        new TreeMap<>(answers).forEach((row, label) -> ad.update((row + ":" + label + "\n")
                .getBytes(StandardCharsets.UTF_8)));
        p.setting("expertAnswers", answers.size());
        p.setting("expertAnswersSha256", Sha256.hex(ad.digest()));
        return p.build();
    }
}
