package io.edgeloop.cli;

import io.edgeloop.api.config.ComponentConfig;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a byte-count option ({@code --max-upload 64MiB}) with the size syntax deployer and transport keys accept,
 * {@link ComponentConfig#getSizeBytes}: {@code 512}, {@code 64KiB}, {@code 16MiB}, {@code 1GiB}, {@code K/M/G} as
 * the binary units and {@code KB/MB/GB} as powers of 1000. picocli names the option in its error.
 *
 * <p>Thread-safe: stateless.
 */
public final class ByteSizeConverter implements ITypeConverter<Long> {
    private static final String KEY = "size";

    @Override
    public Long convert(String value) {
        if (value.matches("-\\d{1,18}")) {
            return Long.parseLong(value); // negative: the command's range check names option, value and range
        }
        try {
            return ComponentConfig.builder().put(KEY, value).build().getSizeBytes(KEY, 0);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + value + "' is not a size: expected bytes such as 512, 64KiB, "
                    + "16MiB or 1GiB (KB/MB/GB are powers of 1000)");
        }
    }
}
