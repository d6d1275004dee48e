package io.edgeloop.transport.kafka;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.security.JaasContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the settings of a Kafka producer or consumer when a transport or source is created, so that a
 * misspelt key or an invalid value is a {@link ConfigException} naming the key, instead of an error at every send
 * or poll. Connects nothing: the checks are Kafka's own ({@link ProducerConfig} / {@link ConsumerConfig}, which
 * also check settings against each other, such as {@code acks} against the idempotent producer) plus a parse of
 * {@code sasl.jaas.config}, which Kafka would otherwise parse only when it first connects.
 *
 * <p>Plug-ins (interceptors, partitioners, serializers, metric reporters, SASL callback handlers, config
 * providers) read their own keys from the same settings, keys Kafka does not know (a schema registry's
 * {@code schema.registry.url}). A {@code kafka.<name>} that is not a Kafka setting is therefore accepted, with one
 * WARN naming such keys, when the settings set a plug-in class and the name is not close to a Kafka setting (that
 * is a typo, refused with "did you mean"); a name listed in {@link #PLUGIN_KEYS} is accepted silently in any case.
 * Without a plug-in setting, an unknown name is refused. The checks log nothing
 * at INFO: Kafka's "ProducerConfig values: ..." dump comes once, when the producer itself is created.
 *
 * <p>Thread-safe: an immutable enum.
 */
public enum KafkaClientConfig {
    /** The settings of a {@code KafkaProducer}. */
    PRODUCER("producer", ProducerConfig.configDef(), ProducerConfig.configNames()),
    /** The settings of a {@code KafkaConsumer}. */
    CONSUMER("consumer", ConsumerConfig.configDef(), ConsumerConfig.configNames());

    /**
     * The key, beside {@code kafka.*}, that lists the names (comma-separated, {@code kafka.} prefix optional) of
     * settings a plug-in reads, accepted without a check or a warning even when close to a Kafka setting.
     */
    public static final String PLUGIN_KEYS = "kafka-plugin-keys";
    private static final Logger LOG = LoggerFactory.getLogger(KafkaClientConfig.class);

    private final String kind;
    private final ConfigDef def;
    private final Set<String> names;
    /** The settings that name plug-in classes, which may read keys of their own. */
    private final Set<String> pluginSettings;

    KafkaClientConfig(String kind, ConfigDef def, Set<String> names) {
        this.kind = kind;
        this.def = def;
        this.names = Set.copyOf(names);
        // the settings of type CLASS, and the lists of class names (an enum constructor sees no static field)
        Set<String> plugins = new HashSet<>();
        for (ConfigDef.ConfigKey k : def.configKeys().values()) {
            if (k.type == ConfigDef.Type.CLASS || k.name.equals("interceptor.classes")
                    || k.name.equals("metric.reporters") || k.name.equals("config.providers")
                    || k.name.equals("partition.assignment.strategy") || k.name.equals("security.providers")) {
                plugins.add(k.name);
            }
        }
        this.pluginSettings = Set.copyOf(plugins);
    }

    /**
     * Refuses keys the component does not know: a top-level key not in {@code ownKeys} (or {@link #PLUGIN_KEYS}),
     * or a {@code kafka.<name>} key whose name is not a setting of this Kafka client, unless a plug-in may read it:
     * it is listed in {@link #PLUGIN_KEYS}, or a plug-in class setting ({@code kafka.interceptor.classes},
     * {@code kafka.partitioner.class}, {@code kafka.config.providers}, ...) is set and the name is not close to a
     * Kafka setting. Names accepted by the second rule are logged in one WARN. The message names every unknown key,
     * each with the closest known key by the rule every provider's check uses
     * ({@link ComponentConfig#closestName}: edit distance ignoring case, at most max(2, length / 4)); the same rule
     * decides which names are close to a Kafka setting.
     *
     * @param config    the component's configuration
     * @param ownKeys   the component's own keys (besides {@code kafka.*} and {@link #PLUGIN_KEYS})
     * @param component what is being configured, for the message (for example "kafka transport")
     * @throws ConfigException naming every unknown key; its {@link ConfigException#key()} is the first, in key order
     */
    public void requireKnownKeys(ComponentConfig config, Set<String> ownKeys, String component) {
        Objects.requireNonNull(config, "config");
        String prefix = KafkaEndpoint.CLIENT_PREFIX + ".";
        Set<String> declared = new HashSet<>();
        for (String name : config.getString(PLUGIN_KEYS, "").split(",")) {
            String n = name.strip();
            declared.add(n.startsWith(prefix) ? n.substring(prefix.length()) : n);
        }
        declared.remove("");
        Set<String> plugins = new TreeSet<>();
        for (String key : config.keys()) {
            if (key.startsWith(prefix) && pluginSettings.contains(key.substring(prefix.length()))) {
                plugins.add(key);
            }
        }
        Set<String> allOwn = new TreeSet<>(ownKeys);
        allOwn.add(PLUGIN_KEYS);
        // a top-level key is also compared with the kafka.<name> group (kafak.acks), as group prefixes are elsewhere
        Set<String> ownCandidates = new TreeSet<>(allOwn);
        ownCandidates.add(prefix);
        List<String> passed = new ArrayList<>();
        StringBuilder unknown = new StringBuilder();
        String first = null;
        int count = 0;
        boolean kafkaKeys = false;
        for (String key : new TreeSet<>(config.keys())) {
            Optional<String> near;
            if (key.startsWith(prefix)) {
                String name = key.substring(prefix.length());
                if (names.contains(name) || declared.contains(name)) {
                    continue;
                }
                near = ComponentConfig.closestName(name, names).map(n -> prefix + n);
                if (near.isEmpty() && !plugins.isEmpty()) {
                    passed.add(key);
                    continue;
                }
                kafkaKeys = true;
            } else if (!allOwn.contains(key)) {
                near = ComponentConfig.closestName(key, ownCandidates).map(n -> n.endsWith(".") ? n + "<name>" : n);
            } else {
                continue;
            }
            first = first == null ? key : first;
            unknown.append(count++ == 0 ? "" : ", ").append('\'').append(key).append('\'');
            near.ifPresent(n -> unknown.append(" (did you mean '").append(n).append("'?)"));
        }
        if (first != null) {
            throw new ConfigException(first, "Unknown configuration key" + (count == 1 ? " " : "s ") + unknown
                    + " for the " + component + "; known keys: " + String.join(", ", allOwn) + " and " + prefix
                    + "<Kafka " + kind + " setting>" + (!kafkaKeys ? "" : plugins.isEmpty()
                    ? ". A " + prefix + "<name> that is not a Kafka " + kind + " setting is taken for a plug-in's"
                    + " key when a plug-in class setting such as " + prefix + "interceptor.classes is set and the name"
                    + " is not close to a Kafka setting, or when it is listed in " + PLUGIN_KEYS
                    : ". A plug-in's own key this close to a Kafka " + kind + " setting is accepted when listed in "
                    + PLUGIN_KEYS));
        }
        if (!passed.isEmpty()) {
            LOG.warn("The {} passes {} to the Kafka {} unchecked: not Kafka settings, taken for settings of the"
                    + " plug-ins named by {} (list them in {} to confirm and silence this warning)", component,
                    passed, kind, plugins, PLUGIN_KEYS);
        }
    }

    /**
     * Checks the complete client settings as Kafka will see them, without connecting: each {@code kafka.*} value
     * against its type and allowed values, then all settings together, then the JAAS configuration if set.
     *
     * @param settings  the client settings, Edgeloop's derived ones with the {@code kafka.*} overrides applied
     * @param overrides the {@code kafka.*} settings, prefix removed, to name the key at fault
     * @throws ConfigException naming the key (or the {@code kafka} prefix when the fault is a combination) and
     *                         Kafka's own reason
     */
    public void validate(Map<String, Object> settings, Map<String, String> overrides) {
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            ConfigDef.ConfigKey key = def.configKeys().get(e.getKey());
            if (key == null) {
                continue; // requireKnownKeys refuses it
            }
            try {
                Object parsed = ConfigDef.parseType(key.name, e.getValue(), key.type);
                if (key.validator != null) {
                    key.validator.ensureValid(key.name, parsed);
                }
            } catch (org.apache.kafka.common.config.ConfigException ex) {
                String shown = key.type == ConfigDef.Type.PASSWORD ? "(hidden)" : "'" + e.getValue() + "'";
                throw new ConfigException(KafkaEndpoint.CLIENT_PREFIX + "." + key.name, "Invalid value " + shown
                        + " for configuration key '" + KafkaEndpoint.CLIENT_PREFIX + "." + key.name + "': "
                        + reason(ex, key));
            }
        }
        Map<String, ?> parsed;
        try {
            parsed = this == PRODUCER ? QuietProducerConfig.check(settings)
                    : new QuietConsumerConfig(settings).values();
        } catch (KafkaException | IllegalArgumentException ex) {
            throw invalidTogether(ex, overrides);
        }
        if (parsed.get(SaslConfigs.SASL_JAAS_CONFIG) != null) {
            try {
                JaasContext.loadClientContext(parsed);
            } catch (KafkaException | IllegalArgumentException | SecurityException ex) {
                throw new ConfigException(KafkaEndpoint.CLIENT_PREFIX + "." + SaslConfigs.SASL_JAAS_CONFIG,
                        "Invalid value (hidden) for configuration key '" + KafkaEndpoint.CLIENT_PREFIX + "."
                                + SaslConfigs.SASL_JAAS_CONFIG + "': " + rootMessage(ex)
                                + " (expected: <LoginModule class> required <option>=\"<value>\" ... ;)");
            }
        }
    }

    /**
     * Says whether a failure to create a Kafka client comes from its settings (so trying again cannot help) rather
     * than from its environment.
     *
     * @param failure what the client's constructor threw
     * @return true when a {@link org.apache.kafka.common.config.ConfigException}, {@link IllegalArgumentException}
     *         or {@link ClassNotFoundException} (a class named in a setting, such as {@code interceptor.classes}) is
     *         among its causes
     */
    public static boolean isConfigurationError(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof org.apache.kafka.common.config.ConfigException || t instanceof IllegalArgumentException
                    || t instanceof ClassNotFoundException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The innermost message of a failure: Kafka wraps the reason a client cannot be created in "Failed to construct
     * kafka producer" and further layers.
     *
     * @param failure the failure
     * @return the message of its deepest cause that has one
     */
    public static String rootMessage(Throwable failure) {
        String message = failure.toString();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return message;
    }

    private ConfigException invalidTogether(RuntimeException ex, Map<String, String> overrides) {
        String reason = rootMessage(ex);
        String key = KafkaEndpoint.CLIENT_PREFIX;
        for (String name : new TreeSet<>(overrides.keySet())) {
            if (reason.contains(name)) {
                key = KafkaEndpoint.CLIENT_PREFIX + "." + name;
                break;
            }
        }
        return new ConfigException(key, "Invalid Kafka " + kind + " settings" + (key.equals(KafkaEndpoint.CLIENT_PREFIX)
                ? "" : " (configuration key '" + key + "')") + ": " + reason);
    }

    private static String reason(org.apache.kafka.common.config.ConfigException ex, ConfigDef.ConfigKey key) {
        String m = ex.getMessage();
        int colon = m == null ? -1 : m.indexOf(": ");
        String why = colon < 0 ? String.valueOf(m) : m.substring(colon + 2);
        return key.type == ConfigDef.Type.PASSWORD ? "not a valid " + key.type : why;
    }

    /** Kafka's consumer checks, without logging every value. */
    private static final class QuietConsumerConfig extends ConsumerConfig {
        QuietConsumerConfig(Map<String, Object> settings) {
            super(settings, false);
        }
    }

    /**
     * Kafka's producer checks, without logging every value. {@link ProducerConfig} has no constructor that keeps
     * quiet: each ends in {@code AbstractConfig}'s INFO dump of all values ("ProducerConfig values: ..."), written
     * after every check has run. So this one lets the checks run (parsing and validating each value, then
     * {@code postProcessParsedConfig}, which checks settings against each other, such as {@code acks} against
     * idempotence) and leaves the constructor by an exception before the dump, then does the last step itself
     * (parsing the post-processed values again).
     */
    private static final class QuietProducerConfig extends ProducerConfig {
        /** Carries the checked values out of the constructor. */
        private static final class Checked extends RuntimeException {
            private static final long serialVersionUID = 1L;
            private final transient Map<String, Object> values;

            Checked(Map<String, Object> values) {
                super(null, null, false, false);
                this.values = values;
            }
        }

        static Map<String, Object> check(Map<String, Object> settings) {
            try {
                new QuietProducerConfig(settings);
            } catch (Checked done) {
                return ProducerConfig.configDef().parse(done.values);
            }
            throw new IllegalStateException("ProducerConfig did not post-process its settings: kafka-clients"
                    + " changed how it checks them");
        }

        private QuietProducerConfig(Map<String, Object> settings) {
            super(settings);
        }

        @Override
        protected Map<String, Object> postProcessParsedConfig(Map<String, Object> parsedValues) {
            Map<String, Object> values = new HashMap<>(parsedValues);
            values.putAll(super.postProcessParsedConfig(parsedValues));
            throw new Checked(values);
        }
    }
}
