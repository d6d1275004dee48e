package io.edgeloop.labeling.model;

import java.util.Locale;

/**
 * Design-time experiment, not a test: runs {@code auto} with given test levels against majority vote on the
 * DESIGN family of generated sets (seeds [from, to)), printing every set and the win / tie / loss counts. The
 * held-out family that {@link AutoOnUnseenSetsTest} checks uses a disjoint seed range and is never run here.
 * Usage: {@code AutoDesignHarness FROM TO ALPHA [verbose]}.
 */
final class AutoDesignHarness {
    private AutoDesignHarness() {
    }

    public static void main(String[] args) {
        long from = Long.parseLong(args[0]);
        long to = Long.parseLong(args[1]);
        if (from >= AutoOnUnseenSetsTest.HELD_OUT_FROM) {
            throw new IllegalArgumentException("seeds >= " + AutoOnUnseenSetsTest.HELD_OUT_FROM + " are held out");
        }
        double alpha = Double.parseDouble(args[2]);
        int win = 0;
        int tie = 0;
        int loss = 0;
        int winV = 0;
        int withV = 0;
        double delta = 0;
        for (long seed = from; seed < to; seed++) {
            GeneratedSets.Set s = GeneratedSets.generate(seed, Integer.getInteger("testScale", 1));
            FitData fd = s.fitData(seed);
            double mv = s.score(MajorityVote.plain(fd));
            AutoLabelModel auto = AutoLabelModel.fit(fd, alpha);
            double a = s.score(auto);
            String o = a > mv + 1e-9 ? "WIN " : a < mv - 1e-9 ? "LOSS" : "tie ";
            win += o.equals("WIN ") ? 1 : 0;
            loss += o.equals("LOSS") ? 1 : 0;
            tie += o.equals("tie ") ? 1 : 0;
            if (s.valid() != null) {
                withV++;
                winV += o.equals("WIN ") ? 1 : 0;
            }
            delta += a - mv;
            // oracle: best candidate on test, to see the headroom
            System.out.printf(Locale.ROOT, "%s %-75s mv %6.2f auto %6.2f (%s)%n", o, s.description(), mv, a,
                    auto.chosen().name());
            if (o.equals("LOSS") || args.length > 3) {
                java.util.Map<String, Double> onTest = new java.util.HashMap<>();
                MajorityVote mvm = MajorityVote.plain(fd);
                DawidSkene ds = DawidSkene.fit(fd);
                SnorkelStyleModel sn = SnorkelStyleModel.fit(fd);
                onTest.put("mv>ds", s.score(new TieBrokenVote(mvm, ds)));
                onTest.put("mv>snorkel", s.score(new TieBrokenVote(mvm, sn)));
                onTest.put("ds", s.score(ds));
                onTest.put("snorkel", s.score(sn));
                fd.classPrior().ifPresent(p -> {
                    onTest.put("mv>prior", s.score(new TieBrokenVote(mvm, new PriorModel(p))));
                    onTest.put("wmv", s.score(MajorityVote.weighted(fd)));
                });
                auto.settings().forEach((key, v) -> {
                    if (key.startsWith("auto.valid.")) {
                        String name = key.substring("auto.valid.".length());
                        System.out.printf(Locale.ROOT, "      %-12s test %+7.2f  valid %s%n", name,
                                onTest.getOrDefault(name, Double.NaN) - mv, v);
                    }
                });
            }
        }
        System.out.printf(Locale.ROOT, "win %d tie %d loss %d; with validation %d, won %d; mean %+.3f%n", win, tie,
                loss, withV, winV, delta / (to - from));
    }
}
