package io.edgeloop.tribuo.provenance;

import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.tribuo.Model;
import org.tribuo.Output;
import org.tribuo.OutputFactory;
import org.tribuo.ensemble.EnsembleModel;
import org.tribuo.provenance.EnsembleModelProvenance;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.transform.TransformedModel;
import org.tribuo.transform.TransformerMap;

/**
 * Sets the training time Tribuo writes into a model's provenance ({@code trained-at}, in the model, in a
 * {@link TransformedModel}'s inner model and in every member of an ensemble), so that training twice on the same
 * data, seed and settings writes byte-identical model files (house style: determinism) when the caller fixes the
 * time, as {@code edgeloop train} does from {@code SOURCE_DATE_EPOCH}. Tribuo takes the clock itself
 * ({@code OffsetDateTime.now()} in every trainer) and offers no way to pass one, so the model is copied with a
 * provenance that differs only in that time, through the protected {@code copy} methods, as Tribuo's own
 * {@code StripProvenance} does. Everything else in the provenance (dataset, trainer and its settings, instance
 * provenance, and the execution provenance Tribuo records: host, OS, JVM) is kept; the data source's creation time
 * is the caller's to set when it builds the data source ({@link #dataSource}).
 *
 * <p>Used by sdk-quantize ({@code TribuoTraining}, what {@code edgeloop train} runs) and sdk-labeling
 * ({@code EndModelTrainer}), which do not depend on each other: this module is the one place for it.
 *
 * <p>Thread-safe: stateless.
 */
public final class TribuoTrainingTime {
    private TribuoTrainingTime() {
    }

    /**
     * @param <T>       the output type
     * @param model     a trained model
     * @param trainedAt the time to record
     * @return a copy of {@code model} whose provenance (and its inner and member models') records {@code trainedAt};
     *         it predicts exactly as {@code model}
     * @throws IllegalStateException when Tribuo's copy methods cannot be reached (a Tribuo version that changed them)
     */
    public static <T extends Output<T>> Model<T> pin(Model<T> model, Instant trainedAt) {
        Objects.requireNonNull(model, "model");
        OffsetDateTime t = OffsetDateTime.ofInstant(Objects.requireNonNull(trainedAt, "trainedAt"), ZoneOffset.UTC);
        try {
            return pinned(model, t);
        } catch (ReflectiveOperationException | RuntimeException e) {
            Throwable cause = e instanceof InvocationTargetException i && i.getCause() != null ? i.getCause() : e;
            throw new IllegalStateException("Cannot set the training time in a " + model.getClass().getName()
                    + "'s provenance (Tribuo's copy methods changed?): " + cause, cause);
        }
    }

    /**
     * A data source provenance that records a given creation time (Tribuo's own constructor without a time takes
     * the clock), for datasets built from in-memory rows.
     *
     * @param <T>         the output type
     * @param description what the data is ({@code csv}, {@code edgeloop weak labels})
     * @param createdAt   the time to record, or null for the current time (Tribuo's default)
     * @param factory     the output factory
     * @return the provenance
     */
    public static <T extends Output<T>> SimpleDataSourceProvenance dataSource(String description, Instant createdAt,
            OutputFactory<T> factory) {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(factory, "factory");
        return createdAt == null ? new SimpleDataSourceProvenance(description, factory)
                : new SimpleDataSourceProvenance(description, OffsetDateTime.ofInstant(createdAt, ZoneOffset.UTC),
                        factory);
    }

    @SuppressWarnings("unchecked") // the copies are of the model's own class, so of Model<T>
    private static <T extends Output<T>> Model<T> pinned(Model<T> model, OffsetDateTime t)
            throws ReflectiveOperationException {
        if (model instanceof TransformedModel<T> tm) {
            Model<T> inner = pinned(tm.getInnerModel(), t);
            Constructor<?> c = TransformedModel.class.getDeclaredConstructor(String.class, ModelProvenance.class,
                    Model.class, TransformerMap.class, boolean.class);
            c.setAccessible(true);
            return (Model<T>) c.newInstance(tm.getName(), at(tm.getProvenance(), t), inner, tm.getTransformerMap(),
                    tm.getDensify());
        }
        if (model instanceof EnsembleModel<T> em) {
            List<Model<T>> members = new ArrayList<>();
            List<ModelProvenance> memberProvenance = new ArrayList<>();
            for (Model<T> m : em.getModels()) {
                Model<T> p = pinned(m, t);
                members.add(p);
                memberProvenance.add(p.getProvenance());
            }
            EnsembleModelProvenance old = em.getProvenance();
            EnsembleModelProvenance prov = new EnsembleModelProvenance(old.getClassName(), t,
                    old.getDatasetProvenance(), old.getTrainerProvenance(), instance(old), new ListProvenance<>(memberProvenance));
            Method copy = declared(em.getClass(), "copy", String.class, EnsembleModelProvenance.class, List.class);
            return (Model<T>) copy.invoke(em, em.getName(), prov, members);
        }
        Method copy = declared(model.getClass(), "copy", String.class, ModelProvenance.class);
        return (Model<T>) copy.invoke(model, model.getName(), at(model.getProvenance(), t));
    }

    private static ModelProvenance at(ModelProvenance old, OffsetDateTime t) {
        return new ModelProvenance(old.getClassName(), t, old.getDatasetProvenance(), old.getTrainerProvenance(),
                instance(old));
    }

    private static java.util.Map<String, com.oracle.labs.mlrg.olcut.provenance.Provenance> instance(ModelProvenance old) {
        return new java.util.HashMap<>(old.getInstanceProvenance().getMap());
    }

    private static Method declared(Class<?> type, String name, Class<?>... parameters) throws NoSuchMethodException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Method m = c.getDeclaredMethod(name, parameters);
                m.setAccessible(true);
                return m;
            } catch (NoSuchMethodException e) {
                // look in the superclass
            }
        }
        throw new NoSuchMethodException(type.getName() + "." + name);
    }
}
