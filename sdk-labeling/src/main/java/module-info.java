/**
 * Edgeloop labeling: windowing, labelling functions, label matrices, label models, active learning and
 * training on Tribuo. The built-in labellers are registered as {@link io.edgeloop.api.label.LabellerProvider}s;
 * their package is not exported.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.edgeloop.labeling {
    requires transitive io.edgeloop.api;
    requires io.edgeloop.tribuo;
    requires com.fasterxml.jackson.databind;
    requires transitive org.tribuo.core;
    requires transitive org.tribuo.classification.core;
    requires org.tribuo.classification.sgd;
    requires org.tribuo.classification.dtree;
    requires org.tribuo.common.tree;
    requires org.tribuo.math;
    requires com.oracle.labs.mlrg.olcut;
    requires org.slf4j;

    exports io.edgeloop.labeling.window;
    exports io.edgeloop.labeling.lf;
    exports io.edgeloop.labeling.matrix;
    exports io.edgeloop.labeling.model;
    exports io.edgeloop.labeling.active;
    exports io.edgeloop.labeling.train;
    exports io.edgeloop.labeling.io;

    provides io.edgeloop.api.label.LabellerProvider with
            io.edgeloop.labeling.lf.provider.ThresholdLabellerProvider,
            io.edgeloop.labeling.lf.provider.RangeLabellerProvider,
            io.edgeloop.labeling.lf.provider.DurationLabellerProvider,
            io.edgeloop.labeling.lf.provider.RateOfChangeLabellerProvider,
            io.edgeloop.labeling.lf.provider.SensorHealthLabellerProvider;
}
