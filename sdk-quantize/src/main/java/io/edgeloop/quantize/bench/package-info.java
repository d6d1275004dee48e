/** Edgeloop quantize: bench. See the types' javadoc for thread safety. */
package io.edgeloop.quantize.bench;
