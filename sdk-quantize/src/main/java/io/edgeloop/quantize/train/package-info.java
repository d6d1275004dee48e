/** Edgeloop quantize: train. See the types' javadoc for thread safety. */
package io.edgeloop.quantize.train;
