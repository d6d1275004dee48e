package io.edgeloop.api.target;

import io.edgeloop.api.spi.NamedProvider;
import io.edgeloop.api.spi.Spi;

/**
 * Supplies a board's own {@link TargetProfile}, so a team can quantize, run parity and bundle models for a board
 * that is not built in (an STM32L031, an ATmega2560) by putting a jar with this provider next to Edgeloop's.
 * Found through {@link io.edgeloop.api.spi.ProviderLoader} and chosen by id: {@link #name()} is the profile's id,
 * and {@link TargetProfiles} resolves an id to a built-in profile or the provider of that name.
 *
 * <p>Register the implementation in {@code META-INF/services/io.edgeloop.api.target.TargetProfileProvider} (class
 * path) or with {@code provides io.edgeloop.api.target.TargetProfileProvider with ...} (module path). An id that
 * is also a built-in id, or that two providers share, is refused naming both classes.
 *
 * <p>Implementations must be thread-safe, cheap to construct (no I/O), and return an equal profile on every call.
 */
@Spi(artifacts = "a jar of your own that provides your board's profile (an example: "
        + "sdk-examples/src/test/java/io/edgeloop/examples/customtarget/Stm32l031ProfileProvider.java, in the test "
        + "sources, built beside edgeloop.jar as the README's 'A board of one's own' shows)")
public interface TargetProfileProvider extends NamedProvider {
    /**
     * Returns the profile id users select this board by; must equal {@code profile().id()}.
     *
     * @return the id, lower-kebab-case
     */
    @Override
    String name();

    /**
     * Returns the board's profile: core, hardware variant, word size, FPU, flash and RAM budgets, byte order.
     *
     * @return the profile, equal on every call
     */
    TargetProfile profile();
}
