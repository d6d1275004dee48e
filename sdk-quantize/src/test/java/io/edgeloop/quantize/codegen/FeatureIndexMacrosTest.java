package io.edgeloop.quantize.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.quantize.TestModels;
import io.edgeloop.quantize.ir.NetworkModel;
import io.edgeloop.quantize.runtime.IntModel;
import io.edgeloop.quantize.scheme.Calibration;
import io.edgeloop.quantize.scheme.ModelQuantizer;
import io.edgeloop.quantize.scheme.Scheme;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code model.h} names each feature's input index ({@code EDGELOOP_MODEL_FEATURE_<NAME>}), so a firmware fills the
 * inputs by name in the model's order, not the CSV's (firmware walk s22: the CSV's order dropped occupancy accuracy
 * from 95.65 % to 21 %). Fails before the fix: there were no such macros.
 */
class FeatureIndexMacrosTest {
    private static List<String> featureMacros(List<String> names, String prefix) {
        double[][] rows = TestModels.wideRows(names.size(), 200, 4);
        NetworkModel plain = TestModels.logistic(names.size(), 2, rows, 5);
        NetworkModel named = new NetworkModel(names, plain.classNames(), plain.scaling(), plain.layers(), plain.head());
        IntModel m = new ModelQuantizer(Scheme.INT8, Calibration.MIN_MAX).quantize(named, rows);
        String h = new CCodeGenerator(prefix).generate(m, TargetProfile.AVR8).header();
        Matcher x = Pattern.compile("(?m)^#define " + prefix.toUpperCase() + "_MODEL_FEATURE_(\\S+) (\\d+)$").matcher(h);
        List<String> out = new ArrayList<>();
        while (x.find()) {
            assertEquals(out.size(), Integer.parseInt(x.group(2)), h);
            out.add(x.group(1));
        }
        return out;
    }

    @Test
    @DisplayName("one macro per feature, in the model's order, named by the upper-cased feature name")
    void oneMacroPerFeatureInModelOrder() {
        assertEquals(List.of("CO2", "HUMIDITY", "HUMIDITYRATIO", "LIGHT", "TEMPERATURE"),
                featureMacros(List.of("CO2", "Humidity", "HumidityRatio", "Light", "Temperature"), "edgeloop"));
        assertEquals(List.of("CO2", "TEMP"), featureMacros(List.of("co2", "temp"), "occ"));
    }

    @Test
    @DisplayName("names are sanitized to [A-Z0-9_] with no '__' and no '_' at either end (C++ reserves '__'); names "
            + "that then collide get their index appended, all unique")
    void sanitizedAndDisambiguated() {
        List<String> got = featureMacros(List.of("temp (\u00b0C)", "a b", "a-b", "A_B", "2nd", "%", "a_b_2", "_x_",
                "a  b"), "edgeloop");
        assertEquals(9, got.size());
        assertEquals(9, new java.util.HashSet<>(got).size(), got.toString());
        for (String g : got) {
            // before: TEMP___C_, _ (EDGELOOP_MODEL_FEATURE__), _X_: names C++ reserves
            assertTrue(g.matches("[A-Z0-9]+(_[A-Z0-9]+)*"), g);
        }
        assertEquals("TEMP_C", got.get(0));
        assertEquals(List.of("A_B_1", "A_B_2_2", "A_B_3"), got.subList(1, 4));
        assertEquals("2ND", got.get(4));
        assertEquals("5", got.get(5), "a name with no letter or digit is its index");
        assertEquals("A_B_2", got.get(6));
        assertEquals("X", got.get(7));
        assertEquals("A_B_8", got.get(8));
    }
}
