package io.edgeloop.tck;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * Puts the implementation under test into every kit failure message ({@code [provider 'name' com.x.Impl] ...}),
 * so a failure read in a merged report, a CI log or an IDE still says which implementation broke the contract.
 * Aborted tests (a missing hook) pass through unchanged.
 *
 * <p>Thread safety: stateless; JUnit may call it from any thread.
 */
final class ProviderNameOnFailure implements TestExecutionExceptionHandler {
    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        if (thrown instanceof TestAbortedException) {
            throw thrown;
        }
        String subject = subject(context.getTestInstance().orElse(null));
        if (subject == null) {
            throw thrown;
        }
        AssertionFailedError named;
        if (thrown instanceof AssertionFailedError a) {
            named = new AssertionFailedError(subject + " " + a.getMessage(), a.getExpected(), a.getActual(),
                    a.getCause());
        } else if (thrown instanceof AssertionError) {
            named = new AssertionFailedError(subject + " " + thrown.getMessage(), thrown.getCause());
        } else {
            named = new AssertionFailedError(subject + " threw " + thrown, thrown);
        }
        named.setStackTrace(thrown.getStackTrace());
        for (Throwable s : thrown.getSuppressed()) {
            named.addSuppressed(s);
        }
        throw named;
    }

    /** "[provider 'name' class]" for the instance's implementation, or null when it cannot be told. */
    private static String subject(Object testInstance) {
        try {
            if (testInstance instanceof ProviderContractTest<?> p) {
                Object provider = p.provider();
                String name = provider == null ? null : ((io.edgeloop.api.spi.NamedProvider) provider).name();
                return "[provider '" + name + "' " + (provider == null ? "null" : provider.getClass().getName()) + "]";
            }
            if (testInstance instanceof LabellerContractTest l) {
                Object labeller = l.labeller();
                return "[labeller " + (labeller == null ? "null" : labeller.getClass().getName()) + "]";
            }
            if (testInstance instanceof ExpertContractTest x) {
                Object expert = x.expert();
                return "[expert " + (expert == null ? "null" : expert.getClass().getName()) + "]";
            }
        } catch (Exception | LinkageError e) {
            return "[" + testInstance.getClass().getName() + "]";
        }
        return null;
    }
}
