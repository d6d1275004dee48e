package io.edgeloop.api.label;

import io.edgeloop.api.window.Window;

/**
 * A labelling function: votes a class index for a window, or {@link Label#ABSTAIN}.
 *
 * <p>Labellers are pure functions of the window: no I/O, no state that changes between calls. An exception
 * thrown by {@link #label(Window)} is counted against this labeller and treated as an abstention by the
 * labelling engine; it never aborts a run.
 *
 * <p>Implementations must be thread-safe: the engine evaluates windows in parallel.
 */
public interface Labeller {
    /**
     * Returns this labeller's name, unique within a labelling-function set.
     *
     * @return the name
     */
    String name();

    /**
     * Returns the number of classes this labeller votes over.
     *
     * @return the number of classes, at least 2
     */
    int numClasses();

    /**
     * Votes for a window.
     *
     * @param window the window
     * @return a class index in {@code [0, numClasses())} or {@link Label#ABSTAIN}
     */
    int label(Window window);
}
