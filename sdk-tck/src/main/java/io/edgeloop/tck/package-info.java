/**
 * The Edgeloop contract test kit: abstract JUnit 5 classes, one per SPI, that implementers extend in a few
 * lines to run the same contract tests Edgeloop runs against its own implementations.
 */
package io.edgeloop.tck;
