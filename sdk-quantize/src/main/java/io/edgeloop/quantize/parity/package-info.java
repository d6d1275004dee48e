/** Edgeloop quantize: parity. See the types' javadoc for thread safety. */
package io.edgeloop.quantize.parity;
