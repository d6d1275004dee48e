/**
 * The Edgeloop contract test kit: abstract JUnit 5 classes, one per SPI, that implementers extend in a few
 * lines to run the same contract tests Edgeloop runs against its own implementations.
 *
 * <p>The kit uses only the JUnit Jupiter API and does not bring JUnit with it: the implementer's own JUnit runs it
 * (JUnit Jupiter 5.10 or later, 6.x included), added at test scope beside {@code io.edgeloop:sdk-tck}.
 */
package io.edgeloop.tck;
