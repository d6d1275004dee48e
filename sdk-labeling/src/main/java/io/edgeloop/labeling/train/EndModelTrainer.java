package io.edgeloop.labeling.train;

import io.edgeloop.api.provenance.Provenance;
import io.edgeloop.tribuo.provenance.TribuoTrainingTime;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;

/**
 * Turns weak labels into a weighted Tribuo dataset and trains an end model, optionally with self-training
 * rounds. Every dataset and model gets an Edgeloop {@link Provenance}: the producer, the end model kind, the
 * label-model settings and LF set handed in by the caller, the number of gold (expert) rows, the seed and a
 * SHA-256 digest of the training table and targets.
 *
 * <p>Times: by default the current time goes into the Edgeloop provenance ({@code createdAt}) and into what Tribuo
 * records (the model's {@code trained-at}, a logistic model's inner model's, the data source's creation time), so two
 * runs write different files. {@link #trainedAt(Instant)} fixes all of them (a caller passes
 * {@code SOURCE_DATE_EPOCH} there): the same table, labels, settings and time then give byte-identical model and
 * provenance files on one JVM, OS and host, which both provenances also record.
 *
 * <p>Thread-safe: immutable; each call trains independently.
 */
public final class EndModelTrainer {
    private final EndModelKind kind;
    private final List<String> classNames;
    private final long seed;
    private final Map<String, String> upstream;
    private final List<Provenance> parents;
    private final Instant trainedAt;

    /**
     * @param kind       the end model
     * @param classNames class names by index
     * @param seed       the training seed
     * @param upstream   provenance settings of the labels (LF names and digests, label model and its settings,
     *                   expert answers used); copied into the model's provenance
     */
    public EndModelTrainer(EndModelKind kind, List<String> classNames, long seed, Map<String, String> upstream) {
        this(kind, classNames, seed, upstream, (Provenance) null);
    }

    /**
     * @param kind       the end model
     * @param classNames class names by index
     * @param seed       the training seed
     * @param upstream   extra provenance settings
     * @param parent     provenance of the labels ({@link LabelProvenance}), recorded as the model's parent; may be
     *                   null
     */
    public EndModelTrainer(EndModelKind kind, List<String> classNames, long seed, Map<String, String> upstream,
            Provenance parent) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.classNames = List.copyOf(classNames);
        this.seed = seed;
        this.upstream = new TreeMap<>(upstream);
        this.parents = parent == null ? List.of() : List.of(parent);
        this.trainedAt = null;
    }

    private EndModelTrainer(EndModelKind kind, List<String> classNames, long seed, Map<String, String> upstream,
            List<Provenance> parents, Instant trainedAt) {
        this.kind = kind;
        this.classNames = List.copyOf(classNames);
        this.seed = seed;
        this.upstream = new TreeMap<>(upstream);
        this.parents = List.copyOf(parents);
        this.trainedAt = trainedAt;
    }

    /**
     * Returns a trainer like this one that records {@code time} instead of the clock: as the end model's
     * {@code createdAt}, as Tribuo's training time of the model (and of a logistic model's inner model) and as the
     * creation time of the Tribuo dataset's source. With a fixed time, training twice on the same table and labels
     * writes byte-identical files ({@link EndModel#write(java.nio.file.Path)}).
     *
     * @param time the time to record, for example {@code SOURCE_DATE_EPOCH}; null for the current time
     * @return the trainer
     */
    public EndModelTrainer trainedAt(Instant time) {
        return new EndModelTrainer(kind, classNames, seed, upstream, parents, time);
    }

    /**
     * Builds the weighted Tribuo dataset: one example per labelled row with a complete feature vector, weighted by
     * its confidence.
     *
     * @param table  features
     * @param labels targets
     * @return the dataset
     * @throws IllegalArgumentException when the table and labels differ in rows, or the labels have more classes
     *                                  than this trainer has class names
     */
    public MutableDataset<Label> dataset(FeatureTable table, WeakLabels labels) {
        if (table.size() != labels.size()) {
            throw new IllegalArgumentException(table.size() + " feature rows for " + labels.size() + " labels");
        }
        if (labels.numClasses() > classNames.size()) {
            throw new IllegalArgumentException("the labels have " + labels.numClasses() + " classes but the "
                    + "EndModelTrainer was given " + classNames.size() + " class name(s) " + classNames + "; give one "
                    + "name per class, in class index order");
        }
        MutableDataset<Label> ds = new MutableDataset<>(TribuoTrainingTime.dataSource("edgeloop weak labels",
                trainedAt, new LabelFactory()), new LabelFactory());
        String[] names = table.names().toArray(new String[0]);
        for (int i = 0; i < table.size(); i++) {
            int y = labels.label(i);
            if (y < 0 || !table.complete(i) || labels.weight(i) <= 0) {
                continue;
            }
            ArrayExample<Label> ex = new ArrayExample<>(new Label(classNames.get(y)), names, table.row(i));
            ex.setWeight(labels.weight(i));
            ds.add(ex);
        }
        if (ds.size() == 0) {
            throw new IllegalArgumentException("no labelled rows with complete features to train on");
        }
        return ds;
    }

    /**
     * Trains on weak labels. The model's provenance knows of the labels only what the constructor was given
     * (upstream settings, parent); {@link #train(FeatureTable, WeakLabelSet)} records the labels' own provenance.
     *
     * @param table  features
     * @param labels targets
     * @return the model with provenance
     */
    public EndModel train(FeatureTable table, WeakLabels labels) {
        return train(table, labels, 0, 0.9);
    }

    /**
     * Trains on a labelled set and records its provenance as a parent of the model's (after the constructor's
     * parent, if any): the end model's provenance then names the label model, the LF set and the expert answers
     * (count and digest, also copied into the model's own settings {@code labelModel}, {@code expertAnswers} and
     * {@code expertAnswersSha256} unless the upstream settings give them), and the Tribuo model carries the same
     * in its instance provenance ({@code edgeloop.*} keys).
     *
     * @param table features
     * @param set   targets with their provenance
     * @return the model with provenance
     */
    public EndModel train(FeatureTable table, WeakLabelSet set) {
        return train(table, set, 0, 0.9);
    }

    /**
     * Trains on a labelled set with self-training rounds; see {@link #train(FeatureTable, WeakLabelSet)} and
     * {@link #train(FeatureTable, WeakLabels, int, double)}.
     *
     * @param table     features
     * @param set       targets with their provenance
     * @param rounds    self-training rounds after the first fit, 0 for none
     * @param threshold the probability needed to adopt a prediction
     * @return the final model with provenance
     */
    public EndModel train(FeatureTable table, WeakLabelSet set, int rounds, double threshold) {
        Objects.requireNonNull(set, "set");
        Map<String, String> up = new TreeMap<>();
        Map<String, String> labelSettings = set.provenance().settings();
        for (String k : List.of("labelModel", "expertAnswers", "expertAnswersSha256")) {
            if (labelSettings.containsKey(k)) {
                up.put(k, labelSettings.get(k));
            }
        }
        up.putAll(upstream);
        List<Provenance> all = new ArrayList<>(parents);
        all.add(set.provenance());
        return new EndModelTrainer(kind, classNames, seed, up, all, trainedAt).train(table, set.labels(), rounds,
                threshold);
    }

    /**
     * Trains with self-training: after each round, rows without a label whose predicted probability reaches
     * {@code threshold} join the training set with that probability as weight. The model's provenance records the
     * rounds and threshold asked for ({@code selfTrainingRounds}, {@code selfTrainingThreshold}), the round that
     * produced it ({@code selfTrainingRound}: fewer when a round adopted nothing) and the rows it adopted
     * ({@code selfTrainedRows}).
     *
     * @param table     features
     * @param labels    targets
     * @param rounds    self-training rounds after the first fit, 0 for none
     * @param threshold the probability needed to adopt a prediction, in [0, 1]
     * @return the final model with provenance
     * @throws IllegalArgumentException when {@code rounds} is negative or {@code threshold} is not in [0, 1]
     */
    public EndModel train(FeatureTable table, WeakLabels labels, int rounds, double threshold) {
        if (rounds < 0) {
            throw new IllegalArgumentException("self-training rounds must be >= 0, got " + rounds);
        }
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("self-training threshold must be a probability in [0, 1], got "
                    + threshold);
        }
        SelfTraining st = new SelfTraining(rounds, threshold);
        WeakLabels current = labels;
        EndModel model = fitOnce(table, current, 0, st, 0);
        for (int r = 1; r <= rounds; r++) {
            int[] y = new int[table.size()];
            float[] w = new float[table.size()];
            boolean added = false;
            for (int i = 0; i < table.size(); i++) {
                y[i] = current.label(i);
                w[i] = current.weight(i);
                if (y[i] < 0 && table.complete(i)) {
                    double[] p = model.predictProba(table.row(i));
                    int best = argmax(p);
                    if (p[best] >= threshold) {
                        y[i] = best;
                        w[i] = (float) p[best];
                        added = true;
                    }
                }
            }
            if (!added) {
                break;
            }
            int adopted = 0;
            for (int i = 0; i < table.size(); i++) {
                adopted += labels.label(i) < 0 && y[i] >= 0 ? 1 : 0;
            }
            current = current.adopt(y, w);
            model = fitOnce(table, current, r, st, adopted);
        }
        return model;
    }

    /** The self-training asked for, recorded in every model's provenance so the model can be reproduced. */
    private record SelfTraining(int rounds, double threshold) {
    }

    private EndModel fitOnce(FeatureTable table, WeakLabels labels, int round, SelfTraining st, int selfTrained) {
        MutableDataset<Label> ds = dataset(table, labels);
        Model<Label> trained = kind.trainer(seed).train(ds, tribuoInstanceProvenance());
        Model<Label> m = trainedAt == null ? trained : TribuoTrainingTime.pin(trained, trainedAt);
        Provenance.Builder p = Provenance.capture("end-model", EndModelTrainer.class).seed(seed)
                .setting("endModel", kind.name().toLowerCase(java.util.Locale.ROOT))
                .setting("features", EndModel.listSetting(table.names()))
                .setting("classes", EndModel.listSetting(classNames))
                .setting("trainingRows", ds.size())
                .setting("goldRows", labels.goldCount())
                .setting("selfTrainingRound", round)
                .setting("selfTrainingRounds", st.rounds())
                .setting("selfTrainingThreshold", Double.toString(st.threshold()))
                .setting("selfTrainedRows", selfTrained);
        if (trainedAt != null) {
            p.createdAt(trainedAt);
        }
        upstream.forEach(p::setting);
        parents.forEach(p::parent);
        byte[] digest = digest(table, labels);
        p.input("training-table", HexFormat.of().formatHex(digest), (long) table.size() * table.names().size() * 8);
        return new EndModel(m, table.names(), classNames, p.build());
    }

    /**
     * What the Tribuo model file itself records of the labels, so a {@code .tribuo} file read without its
     * provenance file still names them: the upstream settings and each parent's JSON, under {@code edgeloop.*}.
     */
    private Map<String, com.oracle.labs.mlrg.olcut.provenance.Provenance> tribuoInstanceProvenance() {
        Map<String, com.oracle.labs.mlrg.olcut.provenance.Provenance> m = new TreeMap<>();
        upstream.forEach((k, v) -> m.put("edgeloop." + k, new StringProvenance("edgeloop." + k, v)));
        for (int i = 0; i < parents.size(); i++) {
            String key = "edgeloop.parent." + i;
            m.put(key, new StringProvenance(key, ProvenanceFiles.toJson(parents.get(i).stripped())));
        }
        return m;
    }

    /** SHA-256 of each row's values (big-endian doubles) followed by its class (int) and weight (float). */
    private static byte[] digest(FeatureTable table, WeakLabels labels) {
        MessageDigest md = io.edgeloop.api.provenance.Sha256.newDigest();
        ByteBuffer b = ByteBuffer.allocate(8);
        for (int i = 0; i < table.size(); i++) {
            for (double v : table.row(i)) {
                b.clear();
                md.update(b.putDouble(v).array());
            }
            b.clear();
            md.update(b.putInt(labels.label(i)).putFloat(labels.weight(i)).array());
        }
        return md.digest();
    }

    static int argmax(double[] p) {
        int best = 0;
        for (int c = 1; c < p.length; c++) {
            if (p[c] > p[best]) {
                best = c;
            }
        }
        return best;
    }
}
