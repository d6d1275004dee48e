package io.edgeloop.examples.demo.fleet;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The simulated fleet, drawn from the seed: devices of three hardware variants in turn ({@code avr8},
 * {@code cortex-m3}, {@code jvm}), each replaying its own contiguous slice of the UCI training file (one reading
 * per tick, a tick being one minute of data time), the connectivity outages of each device, the one device that
 * loses power, and for each {@code avr8} device the {@code jvm} gateway it relays through.
 *
 * <p>Thread-safe: immutable.
 *
 * @param devices     the devices in order
 * @param totalRows   the data rows shared out among the devices
 * @param powerLoss   the device that loses power and the tick at which it does
 */
public record FleetPlan(List<Device> devices, int totalRows, PowerLoss powerLoss) {
    /** Rows in the shipped training file. */
    public static final int TRAINING_ROWS = 8143;

    /**
     * One simulated device.
     *
     * <p>Thread-safe: immutable once constructed (the outage list is an unmodifiable copy; nothing changes its pairs).
     *
     * @param id       the device id, for example {@code avr8-01}
     * @param variant  the hardware variant / target profile id
     * @param skip     the first data row of its slice
     * @param rows     the rows in its slice (one per tick)
     * @param gateway  the gateway it relays through ({@code avr8} only)
     * @param outages  ticks when it cannot reach the network: {@code [start, end)} pairs, sorted
     */
    public record Device(String id, String variant, int skip, int rows, Optional<String> gateway,
            List<int[]> outages) {
        /** Copies the outage list. */
        public Device {
            outages = List.copyOf(outages);
        }

        /**
         * @param tick a tick
         * @return whether the device is offline at that tick
         */
        public boolean offline(int tick) {
            for (int[] o : outages) {
                if (tick >= o[0] && tick < o[1]) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * The power loss.
     *
     * <p>Thread-safe: immutable.
     *
     * @param device the device id
     * @param tick   the tick at which its buffer is killed and reopened
     */
    public record PowerLoss(String device, int tick) {
    }

    /** The hardware variants, in the order devices are assigned. */
    public static final List<String> VARIANTS = List.of("avr8", "cortex-m3", "jvm");

    /**
     * Draws a plan.
     *
     * @param devices   number of devices, at least 3
     * @param totalRows data rows to share out (at most {@link #TRAINING_ROWS})
     * @param seed      the seed
     * @return the plan
     */
    public static FleetPlan draw(int devices, int totalRows, long seed) {
        if (devices < 3) {
            throw new IllegalArgumentException("The fleet needs at least 3 devices (one per variant), got " + devices);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        int per = totalRows / devices;
        List<String> gateways = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            if (VARIANTS.get(i % 3).equals("jvm")) {
                gateways.add(id(i));
            }
        }
        List<Device> list = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            String variant = VARIANTS.get(i % 3);
            List<int[]> outages = new ArrayList<>();
            // One or two outages per device, each 5-25 % of its replay, at random places that do not overlap.
            int count = 1 + rnd.nextInt(2);
            int cursor = per / 10;
            for (int k = 0; k < count && cursor < per - 10; k++) {
                int start = cursor + rnd.nextInt(Math.max(1, (per - cursor) / 2));
                int len = Math.max(5, (int) (per * (0.05 + 0.20 * rnd.nextDouble())));
                int end = Math.min(per - 5, start + len);
                if (end > start) {
                    outages.add(new int[] {start, end});
                }
                cursor = end + per / 20;
            }
            Optional<String> gw = variant.equals("avr8") ? Optional.of(gateways.get((i / 3) % gateways.size()))
                    : Optional.empty();
            list.add(new Device(id(i), variant, i * per, per, gw, outages));
        }
        // A gateway-side device (cortex-m3 or jvm) loses power part-way through its replay.
        List<Device> candidates = list.stream().filter(d -> !d.variant().equals("avr8")).toList();
        Device victim = candidates.get(rnd.nextInt(candidates.size()));
        int tick = per / 3 + rnd.nextInt(Math.max(1, per / 3));
        return new FleetPlan(List.copyOf(list), per * devices, new PowerLoss(victim.id(), tick));
    }

    private static String id(int i) {
        return String.format(java.util.Locale.ROOT, "%s-%02d", VARIANTS.get(i % 3), i + 1);
    }

    /** @return the ticks of the longest slice */
    public int ticks() {
        return devices.stream().mapToInt(Device::rows).max().orElse(0);
    }
}
